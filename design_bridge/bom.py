"""Bill of materials: fabric area and length, thread and trims for one order."""

from __future__ import annotations

import csv
import functools
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from design_bridge.pieces import Piece

log = logging.getLogger(__name__)

FABRICS = Path(__file__).resolve().parents[1] / "data" / "fabrics" / "fabrics.csv"
DEFAULT_WIDTH_MM = 1500.0  # an unknown fabric code is planned at the common woven width
# Single made-to-measure garments nest worse than graded size runs; 80 % is the planning figure.
MARKER_EFFICIENCY = 0.80
# Thread per metre of seam, by the style's main stitch class (ISO 4915: 301 lockstitch uses
# about 2.5 m per m of seam, 504 overlock about 14 m), plus 15 % for ends and breakage.
THREAD_PER_SEAM_M = {"shirt": 2.5, "trousers": 2.5, "skirt": 2.5, "tshirt": 14.0}
THREAD_WASTE = 1.15


@dataclass(frozen=True)
class Fabric:
    code: str
    width_mm: float
    directional: bool
    kind: str = "woven"
    known: bool = True
    thread_colour: str | None = None  # the scheduler's setup on thread-colour change

    @property
    def allowed_rotations(self) -> tuple[int, ...]:
        return (0,) if self.directional else (0, 180)


@dataclass
class BillOfMaterials:
    fabric_code: str
    fabric_width_mm: float
    fabric_known: bool
    marker_efficiency: float
    fabric_area_m2: float  # cut area of the shell pieces, all garments
    fabric_length_m: float  # at the fabric's width and the stated marker efficiency
    pocketing_area_m2: float
    interfacing_area_m2: float
    thread_m: float
    thread_colour: str | None
    trims: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


@functools.cache
def _catalogue() -> dict[str, Fabric]:
    with FABRICS.open() as fh:
        return {
            r["code"]: Fabric(
                r["code"],
                float(r["width_mm"]),
                r["directional"] == "true",
                r["kind"],
                thread_colour=r["thread_colour"],
            )
            for r in csv.DictReader(fh)
        }


def fabric(code: str) -> Fabric:
    """The catalogue entry, or a nap-free fabric of the default width for an unknown code."""
    found = _catalogue().get(code)
    if found is None:
        log.warning(
            "fabric %s is not in the catalogue; planning at %.0f mm", code, DEFAULT_WIDTH_MM
        )
        return Fabric(code, DEFAULT_WIDTH_MM, False, known=False)
    return found


def trims(style: str, options: dict[str, str]) -> dict[str, int]:
    """Trims per garment."""
    if style == "shirt":
        buttons = 7 + 1  # front and spare
        buttons += 4 if options["sleeve"] == "long" else 0  # cuffs and plackets
        buttons += 2 if options["collar"] == "button_down" else 0
        return {"button_11mm": buttons, "care_label": 1, "size_label": 1}
    if style == "trousers":
        return {"zip_18cm": 1, "button_20mm": 1, "care_label": 1, "size_label": 1}
    if style == "skirt":
        return {"invisible_zip_20cm": 1, "button_15mm": 1, "care_label": 1, "size_label": 1}
    return {"care_label": 1, "size_label": 1}


def bill_of_materials(
    style: str, options: dict[str, str], pieces: list[Piece], fab: Fabric, quantity: int
) -> BillOfMaterials:
    def area(select) -> float:
        return sum(p.cut_area_mm2 * p.quantity for p in pieces if select(p)) * quantity / 1e6

    shell = area(lambda p: p.material == "shell")
    seam_m = sum(p.sewing_line.length * p.quantity for p in pieces) / 1000 / 2
    thread = seam_m * THREAD_PER_SEAM_M[style] * THREAD_WASTE * quantity
    length_m = shell / (fab.width_mm / 1000) / MARKER_EFFICIENCY
    return BillOfMaterials(
        fabric_code=fab.code,
        fabric_width_mm=fab.width_mm,
        fabric_known=fab.known,
        marker_efficiency=MARKER_EFFICIENCY,
        fabric_area_m2=round(shell, 4),
        fabric_length_m=round(length_m, 3),
        pocketing_area_m2=round(area(lambda p: p.material == "pocketing"), 4),
        interfacing_area_m2=round(area(lambda p: p.interfaced), 4),
        thread_m=round(thread, 1),
        thread_colour=fab.thread_colour,
        trims={k: v * quantity for k, v in trims(style, options).items()},
    )
