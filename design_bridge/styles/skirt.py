"""Straight skirt: front (on the fold), back (centre back seam), waistband (mm)."""

from __future__ import annotations

from design_bridge.geometry import Point
from design_bridge.measurements import Body
from design_bridge.options import ease
from design_bridge.pieces import Dart, PieceBuilder
from design_bridge.styles.common import GirthLine, Seam, StyleDraft, band, fraction_at, half_to_full

SA = 15.0
HEM_SA = 40.0
SEAM_TOL = 2.0
HIP_DEPTH = 200.0  # waist to hip line
SIDE_RISE = 10.0  # the waist curves up to the side
MAX_SIDE_TAKE = 25.0  # per side seam edge
MAX_DART = {"front": 25.0, "back": 35.0}
DART_LENGTH = {"front": 90.0, "back": 130.0}
WAISTBAND_HEIGHT = 70.0  # folded in two
WAISTBAND_OVERLAP = 30.0
# length option -> offset (mm) from just below the knee
LENGTHS = {"mini": -150.0, "knee": 30.0, "midi": 180.0}


def draft(body: Body, options: dict[str, str]) -> StyleDraft:
    fit = options["fit"]
    waist, hip, height = body.mm("waist"), body.mm("hip"), body.mm("height")
    qh = (hip + 10 * ease("skirt", fit, "hip")) / 4
    qw = (waist + 10 * ease("skirt", fit, "waist")) / 4
    qh = max(qh, qw)  # a straight skirt hangs from whichever is wider
    length_ = body.mm("waist_height") - 0.285 * height + LENGTHS[options["length"]]
    top = max(length_, HIP_DEPTH + 100)
    yh = top - HIP_DEPTH
    side_take = min((qh - qw) / 2, MAX_SIDE_TAKE)

    built = {}
    for name, shift in (("front", 5.0), ("back", -5.0)):
        hip_w, waist_w = qh + shift, qw + shift
        dart = min(hip_w - side_take - waist_w, MAX_DART[name])
        side: list[Point] = [
            (hip_w, 0.0),
            (hip_w, yh),
            (hip_w - 0.3 * side_take, yh + 120),
            (hip_w - side_take, top + SIDE_RISE),
        ]
        waist_edge = [side[-1], (0.0, top)]
        if name == "front":
            b = half_to_full(
                PieceBuilder(name),
                [
                    ("hem", [(0.0, 0.0), (hip_w, 0.0)], HEM_SA),
                    ("side", side, SA),
                    ("waist", waist_edge, SA),
                ],
            )
            x = 0.45 * (hip_w - side_take)
            centres: tuple[float, ...] = (x, -x)
            quantity, mirrored = 1, False
        else:
            b = PieceBuilder(name)
            b.edge("hem", [(0.0, 0.0), (hip_w, 0.0)], HEM_SA)
            b.edge("side", side, SA)
            b.edge("waist", waist_edge, SA)
            b.edge("centre_back", [(0.0, top), (0.0, 0.0)], SA)
            centres = (0.5 * (hip_w - side_take),)
            quantity, mirrored = 2, True
        if dart > 1.0:
            run = hip_w - side_take
            for i, cx in enumerate(centres):
                b.dart(
                    Dart(
                        f"{name}_dart_{i}",
                        "waist",
                        _on_waist(cx + dart / 2, top, run),
                        (cx, _on_waist(cx, top, run)[1] - DART_LENGTH[name]),
                        _on_waist(cx - dart / 2, top, run),
                    )
                )
        b.notch("hip", "side", fraction_at(side, 1))
        if name == "front":
            b.notch("centre_front", "waist", 0.5)
        built[name] = b.build(quantity=quantity, mirrored=mirrored)
    waist_seam = built["front"].edge_length("waist") + 2 * built["back"].edge_length("waist")
    waistband = band(
        "waistband", waist_seam + WAISTBAND_OVERLAP, WAISTBAND_HEIGHT, SA, along_grain=True
    )
    back_w = built["back"].edge_length("waist")
    waistband.notch(
        "centre_front",
        "attach",
        (back_w + built["front"].edge_length("waist") / 2) / (waist_seam + WAISTBAND_OVERLAP),
    )
    pieces = [built["front"], built["back"], waistband.build(quantity=1, interfaced=True)]
    seams = [
        Seam("side", (("front", "side", 1),), (("back", "side", 1),), (-SEAM_TOL, SEAM_TOL)),
        Seam(
            "waistband",
            (("front", "waist", 1), ("back", "waist", 2)),
            (("waistband", "attach", 1),),
            (WAISTBAND_OVERLAP - SEAM_TOL, WAISTBAND_OVERLAP + SEAM_TOL),
        ),
    ]
    girths = [
        GirthLine("waist", edges=(("waistband", "attach", 1),), overlap=WAISTBAND_OVERLAP),
        GirthLine("hip", (("front", yh, 1), ("back", yh, 2))),
    ]
    return StyleDraft(pieces, seams, girths)


def _on_waist(x: float, top: float, run: float) -> Point:
    """The point of the straight waist edge (rising SIDE_RISE over `run`) above x."""
    return (x, top + SIDE_RISE * abs(x) / run)
