"""Sewing routings: per-style operation templates with SMVs, machine types and precedence.

An operation runs after every operation in `after`. An operation may apply only to some options
(`when`: option -> allowed values); when it is left out, its successors inherit its predecessors,
so the precedence graph stays connected. SMVs are standard minutes per garment, allowances
included, in the range published for these operations in industrial engineering references.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Operation:
    """One sewing step for one garment."""

    op_id: str
    name: str
    machine_type: str
    smv: float
    after: tuple[str, ...] = ()
    when: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "op_id": self.op_id,
            "name": self.name,
            "machine_type": self.machine_type,
            "smv": self.smv,
            "after": list(self.after),
        }


def _op(op_id, name, machine, smv, after=(), **when) -> Operation:
    return Operation(
        op_id, name, machine, smv, tuple(after), {k: tuple(v) for k, v in when.items()}
    )


NOT_MANDARIN = ("classic", "button_down", "cutaway")
TEMPLATES: dict[str, list[Operation]] = {
    "shirt": [
        _op("collar_make", "Run and turn collar", "lockstitch", 1.2, collar=NOT_MANDARIN),
        _op(
            "collar_topstitch",
            "Topstitch collar",
            "lockstitch",
            0.8,
            ["collar_make"],
            collar=NOT_MANDARIN,
        ),
        _op(
            "collar_point_holes",
            "Buttonholes in collar points",
            "buttonhole",
            0.3,
            ["collar_topstitch"],
            collar=("button_down",),
        ),
        _op(
            "stand_join",
            "Join collar to stand",
            "lockstitch",
            1.0,
            ["collar_topstitch", "collar_point_holes"],
        ),
        _op("front_placket", "Fold and stitch front placket", "lockstitch", 0.9),
        _op("yoke_attach", "Attach yoke to back", "lockstitch", 1.1),
        _op(
            "shoulder_join",
            "Join shoulders to yoke",
            "lockstitch",
            1.0,
            ["front_placket", "yoke_attach"],
        ),
        _op(
            "collar_attach",
            "Attach collar stand to neckline",
            "lockstitch",
            2.0,
            ["stand_join", "shoulder_join"],
        ),
        _op("sleeve_placket", "Sew sleeve placket", "lockstitch", 1.6, sleeve=("long",)),
        _op(
            "sleeve_attach",
            "Set sleeves (felled)",
            "lockstitch",
            2.2,
            ["shoulder_join", "sleeve_placket"],
        ),
        _op("side_close", "Close side and underarm seams", "overlock", 1.8, ["sleeve_attach"]),
        _op("cuff_make", "Make cuffs", "lockstitch", 1.4, sleeve=("long",)),
        _op(
            "cuff_attach",
            "Attach cuffs",
            "lockstitch",
            1.6,
            ["side_close", "cuff_make"],
            sleeve=("long",),
        ),
        _op(
            "sleeve_hem", "Hem short sleeves", "lockstitch", 0.6, ["side_close"], sleeve=("short",)
        ),
        _op("hem", "Hem shirt", "lockstitch", 1.2, ["side_close"]),
        _op(
            "buttonholes",
            "Buttonholes front and cuffs",
            "buttonhole",
            0.9,
            ["hem", "collar_attach", "cuff_attach", "sleeve_hem"],
        ),
        _op("buttons", "Sew buttons", "button_sew", 1.0, ["buttonholes"]),
        _op("press", "Final press", "pressing", 1.5, ["buttons"]),
        _op("inspect", "Final inspection", "inspection", 0.8, ["press"]),
    ],
    "trousers": [
        _op("pocket_bags", "Make pocket bags", "lockstitch", 2.0),
        _op("front_pockets", "Set front pockets", "lockstitch", 2.5, ["pocket_bags"]),
        _op("back_darts", "Sew back darts", "lockstitch", 0.6),
        _op("overlock_panels", "Overlock panel edges", "overlock", 1.5),
        _op("fly_zip", "Set fly zip", "lockstitch", 3.0, ["overlock_panels"]),
        _op(
            "side_seams",
            "Join side seams",
            "lockstitch",
            1.4,
            ["front_pockets", "back_darts", "overlock_panels"],
        ),
        _op("inseams", "Join inseams", "lockstitch", 1.3, ["side_seams"]),
        _op("seat_seam", "Join seat and crotch seam", "lockstitch", 1.2, ["inseams", "fly_zip"]),
        _op("waistband", "Attach waistband", "lockstitch", 2.8, ["seat_seam"]),
        _op("belt_loops", "Tack belt loops", "bartack", 0.8, ["waistband"]),
        _op("hem", "Blind-stitch hems", "lockstitch", 1.6, ["inseams"]),
        _op("buttonhole", "Waistband buttonhole", "buttonhole", 0.3, ["waistband"]),
        _op("button", "Waistband button", "button_sew", 0.3, ["buttonhole"]),
        _op("press", "Final press with crease", "pressing", 2.0, ["belt_loops", "hem", "button"]),
        _op("inspect", "Final inspection", "inspection", 0.8, ["press"]),
    ],
    "skirt": [
        _op("darts", "Sew darts", "lockstitch", 0.8),
        _op("overlock_panels", "Overlock panel edges", "overlock", 1.2),
        _op("zip", "Set invisible zip in centre back", "lockstitch", 2.2, ["overlock_panels"]),
        _op("vent", "Make walking vent", "lockstitch", 1.2, ["zip"], length=("knee", "midi")),
        _op("side_seams", "Join side seams", "lockstitch", 1.0, ["darts", "overlock_panels"]),
        _op("waistband", "Attach waistband", "lockstitch", 2.2, ["side_seams", "zip"]),
        _op("hem", "Blind-stitch hem", "lockstitch", 1.4, ["side_seams", "vent"]),
        _op("buttonhole", "Waistband buttonhole", "buttonhole", 0.3, ["waistband"]),
        _op("button", "Waistband button", "button_sew", 0.3, ["buttonhole"]),
        _op("press", "Final press", "pressing", 1.2, ["hem", "button"]),
        _op("inspect", "Final inspection", "inspection", 0.6, ["press"]),
    ],
    "tshirt": [
        _op("shoulders", "Join shoulders", "overlock", 0.5),
        _op("band_close", "Close neckband", "overlock", 0.4),
        _op("band_attach", "Attach neckband", "overlock", 0.8, ["shoulders", "band_close"]),
        _op("neck_cover", "Cover-stitch neck seam", "coverstitch", 0.6, ["band_attach"]),
        _op("sleeves", "Set sleeves", "overlock", 1.0, ["shoulders"]),
        _op("sides", "Close side and underarm seams", "overlock", 1.0, ["sleeves"]),
        _op("sleeve_hems", "Hem sleeves", "coverstitch", 0.6, ["sides"]),
        _op("hem", "Hem body", "coverstitch", 0.7, ["sides"]),
        _op("press", "Final press", "pressing", 0.5, ["sleeve_hems", "hem", "neck_cover"]),
        _op("inspect", "Final inspection", "inspection", 0.4, ["press"]),
    ],
}


def routing_for(style: str, options: dict[str, str]) -> list[Operation]:
    """The operations of one garment in a valid (topological) order."""
    template = TEMPLATES[style]
    dropped: dict[str, tuple[str, ...]] = {}
    kept: list[Operation] = []
    for op in template:
        after = _resolve(op.after, dropped)
        if all(options.get(k) in values for k, values in op.when.items()):
            kept.append(Operation(op.op_id, op.name, op.machine_type, op.smv, after))
        else:
            dropped[op.op_id] = after
    return kept


def _resolve(after: tuple[str, ...], dropped: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    out: list[str] = []
    for op_id in after:
        for resolved in dropped.get(op_id, (op_id,)):
            if resolved not in out:
                out.append(resolved)
    return tuple(out)
