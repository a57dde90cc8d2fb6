"""The inference module that runs at the edge: pure torch, no I/O, no training code.

Input: RGB images as float in [0, 1], shape (B, 3, H, W). Output: an image score in [0, 1]
(probability of a defect), a heat map (B, H, W) of patch anomaly in good-fabric standard
deviations, and defect-class logits (B, C).
"""

from __future__ import annotations

import torch
from torch import nn

from inspection.backbone import MEAN, STD, EfficientNetLite0

# Block outputs tapped: stride 8 (40 ch) and stride 16 (112 ch) for patches, the last (320 ch)
# for the global descriptor of the supervised head.
TAP_FINE, TAP_MID, TAP_DEEP = 4, 10, 15
PATCH_DIM = 40 + 112
POOLED_DIM = 2 * PATCH_DIM + 320


def static_size(x: torch.Tensor) -> tuple[int, int]:
    """Height and width as Python ints: constants in an export for a fixed input size, so the
    exported graph carries no shape arithmetic (only the batch axis stays dynamic)."""
    return int(x.shape[-2]), int(x.shape[-1])


class FeatureExtractor(nn.Module):
    """Locally aware patch features (PatchCore style) and a pooled image descriptor."""

    def __init__(self, backbone: EfficientNetLite0) -> None:
        super().__init__()
        self.backbone = backbone
        self.smooth = nn.AvgPool2d(3, stride=1, padding=1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = (x - MEAN) / STD
        fine, mid, deep = self.backbone.features(x, (TAP_FINE, TAP_MID, TAP_DEEP))
        fine = self.smooth(fine)
        mid = nn.functional.interpolate(
            self.smooth(mid), size=static_size(fine), mode="bilinear", align_corners=False
        )
        patches = torch.cat([fine, mid], dim=1)
        pooled = torch.cat(
            [patches.mean(dim=(2, 3)), patches.amax(dim=(2, 3)), deep.mean(dim=(2, 3))], dim=1
        )
        return patches, pooled


def nearest_distance(patches: torch.Tensor, bank: torch.Tensor) -> torch.Tensor:
    """Distance of each patch (B, D, h, w) to its nearest bank row (M, D), as (B, h, w).

    |a - b|^2 = |a|^2 + (|b|^2 - 2ab): the bracket is one matrix product with a bias (a Gemm
    whose bank-side terms are constants folded at export), its minimum over the bank is taken
    before |a|^2 is added, so the (patches x bank) matrix is written once and read once.
    Written without torch.cdist so the graph exports to ONNX.
    """
    # ints for the fixed sizes and -1 for the batch: no shape arithmetic in the exported graph
    d, h, w = int(patches.shape[1]), int(patches.shape[2]), int(patches.shape[3])
    flat = patches.permute(0, 2, 3, 1).reshape(-1, d)
    scores = torch.addmm((bank * bank).sum(dim=1), flat, bank.t(), alpha=-2.0)
    d2 = (flat * flat).sum(dim=1) + scores.amin(dim=1)
    return d2.clamp_min(0.0).sqrt().reshape(-1, h, w)


def dihedral(x: torch.Tensor, k: int) -> torch.Tensor:
    """The k-th flip or quarter turn of a square (B, C, S, S) batch, as features.dihedral."""
    # flips and transposes instead of torch.rot90, which has no ONNX export
    turn = k % 4
    if turn == 1:
        out = x.flip(3).transpose(2, 3)
    elif turn == 2:
        out = x.flip(2).flip(3)
    elif turn == 3:
        out = x.flip(2).transpose(2, 3)
    else:
        out = x
    return out.flip(3) if k >= 4 else out


class InspectionModel(nn.Module):
    """Memory bank of good-fabric patches plus a supervised head over the pooled descriptor.

    logit = head(pooled) + anomaly_weight * anomaly, where anomaly is the image's highest patch
    distance in good-fabric standard deviations; with no defects to learn from the head is zero
    and the score is the memory bank's alone. With `tta_views` > 1 the head sees the pooled
    descriptor averaged over that many flips and quarter turns (better scores, that many times
    the backbone work); the memory bank always looks at the upright view.
    """

    def __init__(
        self,
        extractor: FeatureExtractor,
        bank: torch.Tensor,
        anomaly_mean: float,
        anomaly_std: float,
        head_weight: torch.Tensor,
        head_bias: float,
        anomaly_weight: float,
        class_weight: torch.Tensor,
        class_bias: torch.Tensor,
        tta_views: int = 1,
    ) -> None:
        super().__init__()
        self.extractor = extractor
        self.tta_views = tta_views
        self.bank: torch.Tensor
        self.anomaly_mean: torch.Tensor
        self.anomaly_std: torch.Tensor
        self.head_weight: torch.Tensor
        self.head_bias: torch.Tensor
        self.anomaly_weight: torch.Tensor
        self.class_weight: torch.Tensor
        self.class_bias: torch.Tensor
        self.register_buffer("bank", bank.float())
        self.register_buffer("anomaly_mean", torch.tensor(float(anomaly_mean)))
        self.register_buffer("anomaly_std", torch.tensor(float(anomaly_std)))
        self.register_buffer("head_weight", head_weight.float().reshape(-1))
        self.register_buffer("head_bias", torch.tensor(float(head_bias)))
        self.register_buffer("anomaly_weight", torch.tensor(float(anomaly_weight)))
        self.register_buffer("class_weight", class_weight.float())
        self.register_buffer("class_bias", class_bias.float())

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if self.tta_views > 1:
            views = torch.cat([dihedral(x, k) for k in range(self.tta_views)], dim=0)
            all_patches, all_pooled = self.extractor(views)
            patches = all_patches[: x.shape[0]]
            pooled = all_pooled.reshape(self.tta_views, -1, POOLED_DIM).mean(dim=0)
        else:
            patches, pooled = self.extractor(x)
        dist = nearest_distance(patches, self.bank)
        amap = (dist - self.anomaly_mean) / self.anomaly_std
        anomaly = amap.flatten(1).amax(dim=1)
        logit = pooled @ self.head_weight + self.head_bias + self.anomaly_weight * anomaly
        score = torch.sigmoid(logit)
        heat = nn.functional.interpolate(
            amap.unsqueeze(1), size=static_size(x), mode="bilinear", align_corners=False
        )[:, 0]
        class_logits = pooled @ self.class_weight.t() + self.class_bias
        return score, heat, class_logits
