"""Trousers: front, back, waistband, pocket bag (Aldrich-style trouser block, in mm)."""

from __future__ import annotations

from design_bridge.geometry import Point, cubic, length, solve
from design_bridge.measurements import Body
from design_bridge.options import ease
from design_bridge.pieces import Dart, PieceBuilder
from design_bridge.styles.common import GirthLine, Seam, StyleDraft, band

SA = 12.0
CB_SA = 25.0  # centre back seat seam: room to let out
HEM_SA = 40.0
SEAM_TOL = 2.0
HEM_ABOVE_FLOOR = 30.0
RISE_EASE = 15.0  # crotch depth over the body rise, mm
WAISTBAND_HEIGHT = 80.0  # folded in two
WAISTBAND_OVERLAP = 40.0
BACK_RAISE = 30.0  # centre back waist above the front's
BACK_DART = 20.0
# leg shape -> (hem, knee) girth as a share of the hip girth
LEGS = {"slim": (0.36, 0.40), "straight": (0.42, 0.44), "wide": (0.52, 0.52)}
POCKET_TOP, POCKET_BOTTOM = 40.0, 190.0  # pocket opening on the side seam, below the waist


def draft(body: Body, options: dict[str, str]) -> StyleDraft:
    fit = options["fit"]
    waist, hip = body.mm("waist"), body.mm("hip")
    qh = (hip + 10 * ease("trousers", fit, "hip")) / 4
    qw = (waist + 10 * ease("trousers", fit, "waist")) / 4
    inseam = body.mm("inseam") - HEM_ABOVE_FLOOR
    rise = body.mm("body_rise") + RISE_EASE
    yc, yw = inseam, inseam + rise
    yh = yc + rise / 3
    yk = yc / 2 + 50
    hem_share, knee_share = LEGS[options["leg"]]
    hem_half, knee_half = hem_share * hip / 4, knee_share * hip / 4

    fw, fext = qh - 10, hip / 16
    front_cr = (fw + fext) / 2
    front_side_waist = (fw - 10 - (qw - 10), yw)
    front_crotch = cubic(
        (fw + fext, yc), (fw + 0.25 * fext, yc + 5), (fw, yc + 0.5 * (yh - yc)), (fw, yh)
    )
    front_inseam = [
        (front_cr + hem_half - 10, 0.0),
        (front_cr + knee_half - 10, yk),
        (fw + fext, yc),
    ]
    front_side = [
        front_side_waist,
        (0.0, yh),
        (front_cr - knee_half + 10, yk),
        (front_cr - hem_half + 10, 0.0),
    ]
    front = _leg("front", front_inseam, front_crotch, (fw - 10, yw), front_side, SA)

    bw, bext = qh + 10, hip / 8
    back_cr = (bw + bext) / 2 - 10
    b_inseam_target = length(front_inseam)

    def back_inseam(drop: float) -> list[Point]:
        return [
            (back_cr + hem_half + 10, 0.0),
            (back_cr + knee_half + 10, yk),
            (bw + bext, yc - drop),
        ]

    drop = solve(lambda d: b_inseam_target - length(back_inseam(d)), 0.0, 60.0)
    cb_waist = (bw - 20, yw + BACK_RAISE)
    back_waist_w = qw + 10 + BACK_DART
    side_x = cb_waist[0] - back_waist_w
    back_lower_side = [(0.0, yh), (back_cr - knee_half - 10, yk), (back_cr - hem_half - 10, 0.0)]
    target_side = length(front_side)

    def back_side(lift: float) -> list[Point]:
        return [(side_x, yw + lift), *back_lower_side]

    lift = solve(lambda v: length(back_side(v)) - target_side, -60.0, 60.0)
    back_crotch = cubic(
        (bw + bext, yc - drop),
        (bw + 0.3 * bext, yc - drop + 5),
        (bw, yc + 0.4 * (yh - yc)),
        (bw, yh),
    )
    back = _leg("back", back_inseam(drop), back_crotch, cb_waist, back_side(lift), CB_SA)
    mid = ((cb_waist[0] + side_x) / 2, (cb_waist[1] + yw + lift) / 2)
    back.dart(
        Dart(
            "back_dart",
            "waist",
            (mid[0] + BACK_DART / 2, mid[1]),
            (mid[0], mid[1] - 120),
            (mid[0] - BACK_DART / 2, mid[1]),
        )
    )

    for b, side, inside in (
        (front, front_side, front_inseam),
        (back, back_side(lift), back_inseam(drop)),
    ):
        side_len = length(side)
        b.notch("pocket_top", "side", POCKET_TOP / side_len)
        b.notch("pocket_bottom", "side", POCKET_BOTTOM / side_len)
        b.notch("knee", "side", length(side[:3]) / side_len)
        b.notch("knee_inside", "inseam", length(inside[:2]) / length(inside))
    back.notch("centre_back", "waist", 0.0)

    front_piece = front.build(quantity=2, mirrored=True)
    back_piece = back.build(quantity=2, mirrored=True)
    waist_seam = 2 * (front_piece.edge_length("waist") + back_piece.edge_length("waist"))
    waistband = band(
        "waistband", waist_seam + WAISTBAND_OVERLAP, WAISTBAND_HEIGHT, SA, along_grain=True
    )
    front_w, back_w = front_piece.edge_length("waist"), back_piece.edge_length("waist")
    waistband.notch(
        "centre_back",
        "attach",
        (WAISTBAND_OVERLAP + front_w + back_w) / (waist_seam + WAISTBAND_OVERLAP),
    )
    pocket = PieceBuilder("pocket_bag")
    pocket.edge("opening", [(0.0, 300.0), (0.0, 120.0)], SA)
    pocket.edge(
        "bag",
        [
            (0.0, 120.0),
            *cubic((0.0, 120.0), (0.0, 0.0), (170.0, 0.0), (170.0, 80.0)),
            (170.0, 300.0),
        ],
        SA,
    )
    pocket.edge("top", [(170.0, 300.0), (0.0, 300.0)], SA)
    pieces = [
        front_piece,
        back_piece,
        waistband.build(quantity=1, interfaced=True),
        pocket.build(quantity=4, mirrored=True, material="pocketing"),
    ]
    seams = [
        Seam("side", (("front", "side", 1),), (("back", "side", 1),), (-SEAM_TOL, SEAM_TOL)),
        Seam("inseam", (("front", "inseam", 1),), (("back", "inseam", 1),), (-SEAM_TOL, SEAM_TOL)),
        Seam(
            "waistband",
            (("front", "waist", 2), ("back", "waist", 2)),
            (("waistband", "attach", 1),),
            (WAISTBAND_OVERLAP - SEAM_TOL, WAISTBAND_OVERLAP + SEAM_TOL),
        ),
    ]
    girths = [
        GirthLine("waist", edges=(("waistband", "attach", 1),), overlap=WAISTBAND_OVERLAP),
        GirthLine("hip", (("front", yh, 2), ("back", yh, 2))),
        GirthLine("thigh", (("front", yc - 20, 1), ("back", yc - 20, 1))),
    ]
    return StyleDraft(pieces, seams, girths)


def _leg(name, inseam, crotch, centre_waist, side, centre_sa) -> PieceBuilder:
    """A leg panel counter-clockwise: hem, inseam, crotch curve and centre seam, waist, side."""
    b = PieceBuilder(name)
    b.edge("hem", [side[-1], inseam[0]], HEM_SA)
    b.edge("inseam", inseam, SA)
    b.edge("crotch", [*crotch, centre_waist], centre_sa)
    b.edge("waist", [centre_waist, side[0]], SA)
    b.edge("side", side, SA)
    return b
