"""Shirt: front, back, yoke, sleeve, collar stand, collar, cuff (Aldrich-style block, in mm)."""

from __future__ import annotations

import math

from design_bridge.geometry import cubic, length, sleeve_cap, solve
from design_bridge.measurements import Body
from design_bridge.options import ease
from design_bridge.pieces import Dart, PieceBuilder
from design_bridge.styles.common import (
    GirthLine,
    Seam,
    StyleDraft,
    band,
    fraction_at,
    half_to_full,
    split_at_y,
)

SA = 10.0  # seam allowance, mm
HEM_SA = 15.0
SLEEVE_HEM_SA = 25.0
STAND = 30.0  # button stand past the centre front, mm
CUFF_HEIGHT = 65.0
CUFF_EASE = 60.0  # cuff length over the wrist, before the overlap
CUFF_OVERLAP = 20.0
PLEATS = 40.0  # two 20 mm pleats at the sleeve hem, taken up by the cuff
STAND_HEIGHT = 35.0
BUST_DART = 25.0  # intake of the women's side bust dart (a B-cup block), mm
BUST_DART_BELOW_ARMHOLE = 50.0
SEAM_TOL = 2.0  # seams that must match agree within this, mm
CAP_EASE = {"slim": 0.01, "regular": 0.015, "relaxed": 0.02}  # share of the armhole length
CAP_HEIGHT = {"slim": 0.30, "regular": 0.27, "relaxed": 0.24}  # share of the armhole length
SCYE_EXTRA = {"slim": 0.0, "regular": 10.0, "relaxed": 20.0}
SHOULDER_EXTRA = {"slim": 5.0, "regular": 15.0, "relaxed": 30.0}
MAX_SUPPRESSION = {"slim": 25.0, "regular": 15.0, "relaxed": 5.0}  # per side seam, chest to waist
COLLARS = {  # point run-out past the collar's end (mm) and point length (mm)
    "classic": (10.0, 70.0),
    "button_down": (5.0, 75.0),
    "cutaway": (-15.0, 60.0),
}


def draft(body: Body, options: dict[str, str]) -> StyleDraft:
    fit = options["fit"]
    chest, waist, hip = body.mm("chest"), body.mm("waist"), body.mm("hip")
    neck, height = body.mm("neck"), body.mm("height")
    qc = (chest + 10 * ease("shirt", fit, "chest")) / 4
    qw = max((waist + 10 * ease("shirt", fit, "waist")) / 4, qc - MAX_SUPPRESSION[fit])
    qh = max((hip + 10 * ease("shirt", fit, "hip")) / 4, qw - 10)
    top = body.mm("back_waist_length") + 0.19 * height  # centre-back length
    yc = top - (chest / 8 + 115 + SCYE_EXTRA[fit])
    yw = top - body.mm("back_waist_length")
    yh = max(yw - 200, 60.0)
    nw = neck / 5
    sp_x = min(body.mm("shoulder_width") / 2 + SHOULDER_EXTRA[fit], qc - 25)
    np_ = (nw, top + 20)
    sp = (sp_x, top + 20 - 0.25 * (sp_x - nw))
    y_yoke = top - 80
    side = [(qh, 0.0), (qh, yh), (qw, yw), (qc, yc)]

    d = sp[1] - yc
    back_arm = cubic((qc, yc), (qc - 0.6 * (qc - sp_x), yc), (sp_x, yc + 0.45 * d), sp)
    arm_low, arm_high = split_at_y(back_arm, y_yoke)
    p = arm_low[-1]

    back = half_to_full(
        PieceBuilder("back"),
        [
            ("hem", [(0.0, 0.0), (qh, 0.0)], HEM_SA),
            ("side", side, SA),
            ("armhole", arm_low, SA),
            ("yoke", [p, (0.0, y_yoke)], SA),
        ],
    )
    back.notch("side_waist", "side", fraction_at(side, 2)).notch(
        "side_waist", "side_m", 1 - fraction_at(side, 2)
    )
    back.notch("yoke_centre", "yoke", 0.5)

    back_neck = cubic(np_, (nw, top + 5), (nw * 0.5, top), (0.0, top))
    yoke = half_to_full(
        PieceBuilder("yoke"),
        [
            ("yoke", [(0.0, y_yoke), p], SA),
            ("armhole", arm_high, SA),
            ("shoulder", [sp, np_], SA),
            ("neck", back_neck, SA),
        ],
    )
    yoke.notch("yoke_centre", "yoke", 0.5).notch("neck_centre", "neck", 0.5)

    shoulder_len = math.dist(sp, np_)
    fnp = (nw - 5, top + 10)
    slope = math.atan(0.35)
    fsp = (fnp[0] + shoulder_len * math.cos(slope), fnp[1] - shoulder_len * math.sin(slope))
    fd = fsp[1] - yc
    front_arm = cubic((qc, yc), (qc - 0.6 * (qc - fsp[0]), yc), (fsp[0], yc + 0.4 * fd), fsp)
    y_cf = top + 10 - (neck / 5 + 10)
    front_neck = cubic(fnp, (fnp[0], y_cf + 30), (fnp[0] * 0.5, y_cf), (0.0, y_cf))
    # women's fronts: a side bust dart; the front below it is lengthened by the dart's intake
    drop = BUST_DART if options["body"] == "women" else 0.0
    front_side = [(x, y - drop) for x, y in side[:3]]
    if drop:
        y_d = yc - BUST_DART_BELOW_ARMHOLE
        x_d = qw + (qc - qw) * (y_d - yw) / (yc - yw)
        front_side += [(x_d, y_d - drop), (x_d, y_d)]
    front_side.append(side[3])
    front = PieceBuilder("front")
    front.edge("hem", [(-STAND, -drop), (qh, -drop)], HEM_SA)
    front.edge("side", front_side, SA)
    front.edge("armhole", front_arm, SA)
    front.edge("shoulder", [fsp, fnp], SA)
    front.edge("neck", front_neck, SA)
    front.edge("stand_top", [(0.0, y_cf), (-STAND, y_cf)], SA)
    front.edge("front_edge", [(-STAND, y_cf), (-STAND, -drop)], SA)
    front.notch("side_waist", "side", fraction_at(front_side, 2))
    front.notch("armhole_front", "armhole", 0.5)
    if drop:
        apex = (0.45 * qc, y_d - drop / 2)
        front.dart(Dart("bust_dart", "side", (x_d, y_d), apex, (x_d, y_d - drop)))

    armhole = length(front_arm) + length(arm_high) + length(arm_low)
    cap_len = armhole * (1 + CAP_EASE[fit])
    cap_h = armhole * CAP_HEIGHT[fit]
    width = solve(lambda w: length(sleeve_cap(w, cap_h)) - cap_len, cap_h, 2 * armhole)
    cap = list(reversed(sleeve_cap(width, cap_h)))
    long_sleeve = options["sleeve"] == "long"
    cuff_len = body.mm("wrist") + CUFF_EASE + CUFF_OVERLAP
    if long_sleeve:
        sleeve_len = body.mm("arm_length") + 10 - CUFF_HEIGHT - SHOULDER_EXTRA[fit]
        hem_w = cuff_len - CUFF_OVERLAP + PLEATS
    else:
        sleeve_len = max(cap_h + 80, 0.42 * body.mm("arm_length"))
        hem_w = 0.85 * width
    yb = cap_h - sleeve_len
    sleeve = PieceBuilder("sleeve")
    sleeve.edge("hem", [(-hem_w / 2, yb), (hem_w / 2, yb)], SA if long_sleeve else SLEEVE_HEM_SA)
    sleeve.edge("underarm", [(hem_w / 2, yb), (width / 2, 0.0)], SA)
    sleeve.edge("cap", cap, SA)
    sleeve.edge("underarm_back", [(-width / 2, 0.0), (-hem_w / 2, yb)], SA)
    f_front = length(front_arm) / armhole
    sleeve.notch("armhole_front", "cap", f_front / 2).notch("shoulder", "cap", f_front)
    sleeve.notch("yoke_armhole", "cap", f_front + length(arm_high) / armhole)
    yoke.notch("shoulder", "armhole", 1.0).notch("yoke_armhole", "armhole", 0.0)
    yoke.notch("shoulder", "armhole_m", 0.0).notch("yoke_armhole", "armhole_m", 1.0)

    neck_side = length(back_neck) + length(front_neck) + STAND
    stand_len = 2 * neck_side
    stand = band("collar_stand", stand_len, STAND_HEIGHT, SA, along_grain=False)
    stand.notch("neck_centre", "attach", 0.5)

    pieces = [
        front.build(quantity=2, mirrored=True),
        back.build(quantity=1),
        yoke.build(quantity=2),
        sleeve.build(quantity=2, mirrored=True),
        stand.build(quantity=2, interfaced=True),
    ]
    seams = [
        Seam("side", (("front", "side", 1),), (("back", "side", 1),), (-SEAM_TOL, SEAM_TOL)),
        Seam(
            "shoulder",
            (("front", "shoulder", 1),),
            (("yoke", "shoulder", 1),),
            (-SEAM_TOL, SEAM_TOL),
        ),
        Seam("yoke", (("back", "yoke", 1),), (("yoke", "yoke", 1),), (-SEAM_TOL, SEAM_TOL)),
        Seam(
            "sleeve_cap",
            (("front", "armhole", 1), ("yoke", "armhole", 1), ("back", "armhole", 1)),
            (("sleeve", "cap", 1),),
            (0.0, 0.03 * armhole),
        ),
        Seam(
            "underarm",
            (("sleeve", "underarm", 1),),
            (("sleeve", "underarm_back", 1),),
            (-SEAM_TOL, SEAM_TOL),
        ),
        Seam(
            "neckline",
            (("yoke", "neck", 1), ("front", "neck", 2), ("front", "stand_top", 2)),
            (("collar_stand", "attach", 1),),
            (-SEAM_TOL, SEAM_TOL),
        ),
    ]
    if long_sleeve:
        cuff = band("cuff", cuff_len, CUFF_HEIGHT, SA, along_grain=False)
        pieces.append(cuff.build(quantity=4, interfaced=True))
        seams.append(
            Seam(
                "cuff",
                (("cuff", "attach", 1),),
                (("sleeve", "hem", 1),),
                (PLEATS - CUFF_OVERLAP - SEAM_TOL, PLEATS - CUFF_OVERLAP + SEAM_TOL),
            )
        )
    if options["collar"] != "mandarin":
        pieces.append(
            _collar(stand_len - 2 * STAND, options["collar"]).build(quantity=2, interfaced=True)
        )
        seams.append(
            Seam(
                "collar",
                (("collar", "attach", 1),),
                (("collar_stand", "top", 1),),
                (2 * STAND - SEAM_TOL, 2 * STAND + SEAM_TOL),
            )
        )
    girths = [
        GirthLine("chest", (("back", yc - 10, 1), ("front", yc - 10, 2)), 2 * STAND),
        GirthLine("waist", (("back", yw, 1), ("front", yw - drop, 2)), 2 * STAND),
        GirthLine("hip", (("back", yh, 1), ("front", yh - drop, 2)), 2 * STAND),
    ]
    return StyleDraft(pieces, seams, girths)


def _collar(attach: float, kind: str) -> PieceBuilder:
    run_out, point = COLLARS[kind]
    half = attach / 2
    b = PieceBuilder("collar")
    b.edge("attach", [(-half, 0.0), (half, 0.0)], SA)
    b.edge("end_r", [(half, 0.0), (half + run_out, point)], SA)
    b.edge("top", [(half + run_out, point), (0.0, 45.0), (-half - run_out, point)], SA)
    b.edge("end_l", [(-half - run_out, point), (-half, 0.0)], SA)
    b.notch("neck_centre", "attach", 0.5)
    return b
