"""Knit T-shirt: front and back (on the fold), sleeve, neckband (mm)."""

from __future__ import annotations

from design_bridge.geometry import cubic, length, sleeve_cap, solve
from design_bridge.measurements import Body
from design_bridge.options import ease
from design_bridge.pieces import PieceBuilder
from design_bridge.styles.common import (
    MIRROR,
    GirthLine,
    Seam,
    StyleDraft,
    band,
    fraction_at,
    half_to_full,
)

SA = 8.0  # overlock seam allowance, mm
HEM_SA = 25.0  # coverstitch hem
SEAM_TOL = 2.0
BAND_RATIO = 0.85  # a rib neckband is cut shorter than the neckline and stretched on
BAND_HEIGHT = 50.0  # folded in two
CAP_HEIGHT = {"slim": 0.26, "regular": 0.22, "relaxed": 0.18}
SCYE_EXTRA = {"slim": 0.0, "regular": 10.0, "relaxed": 25.0}
SHOULDER_EXTRA = {"slim": 0.0, "regular": 10.0, "relaxed": 30.0}
MAX_SUPPRESSION = {"slim": 20.0, "regular": 10.0, "relaxed": 0.0}


def draft(body: Body, options: dict[str, str]) -> StyleDraft:
    fit = options["fit"]
    chest, waist, hip = body.mm("chest"), body.mm("waist"), body.mm("hip")
    neck, height = body.mm("neck"), body.mm("height")
    qc = (chest + 10 * ease("tshirt", fit, "chest")) / 4
    qw = max((waist + 10 * ease("tshirt", fit, "waist")) / 4, qc - MAX_SUPPRESSION[fit])
    qh = max((hip + 10 * ease("tshirt", fit, "hip")) / 4, qw - 10)
    top = body.mm("back_waist_length") + 0.17 * height
    yc = top - (chest / 8 + 95 + SCYE_EXTRA[fit])
    yw = top - body.mm("back_waist_length")
    yh = max(yw - 150, 60.0)
    nw = neck / 5 + 5
    sp_x = min(body.mm("shoulder_width") / 2 + SHOULDER_EXTRA[fit], qc - 20)
    np_ = (nw, top + 15)
    sp = (sp_x, np_[1] - 0.3 * (sp_x - nw))
    side = [(qh, 0.0), (qh, yh), (qw, yw), (qc, yc)]
    d = sp[1] - yc
    back_arm = cubic((qc, yc), (qc - 0.6 * (qc - sp_x), yc), (sp_x, yc + 0.45 * d), sp)
    front_arm = cubic((qc, yc), (qc - 0.7 * (qc - sp_x), yc), (sp_x, yc + 0.35 * d), sp)
    back_neck = cubic(np_, (nw, top + 5), (nw * 0.5, top), (0.0, top))
    y_cf = np_[1] - (neck / 5 + 25)
    front_neck = cubic(np_, (nw, y_cf + 40), (nw * 0.5, y_cf), (0.0, y_cf))

    pieces_b = {}
    for name, arm, neck_curve in (("back", back_arm, back_neck), ("front", front_arm, front_neck)):
        b = half_to_full(
            PieceBuilder(name),
            [
                ("hem", [(0.0, 0.0), (qh, 0.0)], HEM_SA),
                ("side", side, SA),
                ("armhole", arm, SA),
                ("shoulder", [sp, np_], SA),
                ("neck", neck_curve, SA),
            ],
        )
        b.notch("side_waist", "side", fraction_at(side, 2))
        b.notch("side_waist", "side" + MIRROR, 1 - fraction_at(side, 2))
        b.notch("neck_centre", "neck", 0.5)
        b.notch("shoulder", "armhole", 1.0).notch("shoulder", "armhole" + MIRROR, 0.0)
        pieces_b[name] = b
    pieces_b["front"].notch("armhole_front", "armhole", 0.5)
    pieces_b["front"].notch("armhole_front", "armhole" + MIRROR, 0.5)

    armhole = length(front_arm) + length(back_arm)
    cap_h = armhole * CAP_HEIGHT[fit]
    width = solve(lambda w: length(sleeve_cap(w, cap_h)) - armhole, cap_h, 2 * armhole)
    cap = list(reversed(sleeve_cap(width, cap_h)))
    if options["sleeve"] == "long":
        sleeve_len = body.mm("arm_length") + 20 - SHOULDER_EXTRA[fit]
        hem_w = body.mm("wrist") + 100
    else:
        sleeve_len = max(cap_h + 100, 0.35 * body.mm("arm_length"))
        hem_w = 0.85 * width
    yb = cap_h - sleeve_len
    sleeve = PieceBuilder("sleeve")
    sleeve.edge("hem", [(-hem_w / 2, yb), (hem_w / 2, yb)], HEM_SA)
    sleeve.edge("underarm", [(hem_w / 2, yb), (width / 2, 0.0)], SA)
    sleeve.edge("cap", cap, SA)
    sleeve.edge("underarm_back", [(-width / 2, 0.0), (-hem_w / 2, yb)], SA)
    f_front = length(front_arm) / armhole
    sleeve.notch("armhole_front", "cap", f_front / 2).notch("shoulder", "cap", f_front)

    neckline = 2 * (length(back_neck) + length(front_neck))
    neckband = band("neckband", BAND_RATIO * neckline, BAND_HEIGHT, SA, along_grain=False)
    neckband.notch("neck_centre", "attach", 0.5)

    pieces = [
        pieces_b["front"].build(quantity=1),
        pieces_b["back"].build(quantity=1),
        sleeve.build(quantity=2, mirrored=True),
        neckband.build(quantity=1),
    ]
    band_ease = (BAND_RATIO - 1) * neckline
    seams = [
        Seam("side", (("front", "side", 1),), (("back", "side", 1),), (-SEAM_TOL, SEAM_TOL)),
        Seam(
            "shoulder",
            (("front", "shoulder", 1),),
            (("back", "shoulder", 1),),
            (-SEAM_TOL, SEAM_TOL),
        ),
        Seam(
            "sleeve_cap",
            (("front", "armhole", 1), ("back", "armhole", 1)),
            (("sleeve", "cap", 1),),
            (-0.01 * armhole, 0.01 * armhole),
        ),
        Seam(
            "underarm",
            (("sleeve", "underarm", 1),),
            (("sleeve", "underarm_back", 1),),
            (-SEAM_TOL, SEAM_TOL),
        ),
        Seam(
            "neckband",
            (("front", "neck", 1), ("back", "neck", 1)),
            (("neckband", "attach", 1),),
            (band_ease - SEAM_TOL, band_ease + SEAM_TOL),
        ),
        Seam(
            "neckband_ends",
            (("neckband", "end_l", 1),),
            (("neckband", "end_r", 1),),
            (-SEAM_TOL, SEAM_TOL),
        ),
    ]
    girths = [
        GirthLine("chest", (("back", yc - 10, 1), ("front", yc - 10, 1))),
        GirthLine("waist", (("back", yw, 1), ("front", yw, 1))),
        GirthLine("hip", (("back", yh, 1), ("front", yh, 1))),
    ]
    return StyleDraft(pieces, seams, girths)
