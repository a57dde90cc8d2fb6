"""The ImageNet weights load strictly into our Lite0 and classify natural photos correctly."""

import cv2
import numpy as np
import pytest
import torch
from sklearn.datasets import load_sample_image

from inspection.backbone import (
    MEAN,
    STD,
    EfficientNetLite0,
    imagenet_weights_path,
    load_imagenet_backbone,
)

# china.jpg is a photo of a Chinese temple roof and gate; ImageNet has no 'temple' class, so any
# of these building classes is the right answer: bell cote, boathouse, castle, church, monastery,
# palace, stupa.
TEMPLE_LIKE = {442, 449, 483, 497, 663, 698, 832}
DAISY = 985  # flower.jpg is a close-up of a daisy-like flower head


def _classify(net: torch.nn.Module, name: str) -> int:
    img = cv2.resize(load_sample_image(name), (224, 224), interpolation=cv2.INTER_AREA)
    x = (img.astype(np.float32) / 255.0 - MEAN) / STD
    with torch.inference_mode():
        logits = net(torch.from_numpy(x).permute(2, 0, 1)[None])
    return int(logits.argmax())


def test_weights_load_strictly_and_fail_on_mismatch():
    state = torch.load(imagenet_weights_path(), map_location="cpu", weights_only=True)
    EfficientNetLite0().load_state_dict(state, strict=True)
    state.pop("_fc.bias")
    with pytest.raises(RuntimeError, match="_fc.bias"):
        EfficientNetLite0().load_state_dict(state, strict=True)


def test_natural_photos_get_the_right_imagenet_class():
    torch.set_num_threads(2)
    net = load_imagenet_backbone()
    assert _classify(net, "china.jpg") in TEMPLE_LIKE
    assert _classify(net, "flower.jpg") == DAISY


def test_untrained_network_does_not_pass_the_photo_check():
    torch.manual_seed(0)
    net = EfficientNetLite0().eval()
    assert _classify(net, "flower.jpg") != DAISY or _classify(net, "china.jpg") not in TEMPLE_LIKE
