"""Cut order planning, nesting and the marker files."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from shapely.geometry import Polygon, box

from core.errors import InputError
from scheduler.cut_planning import plan_cuts
from scheduler.model import CuttingRules, Fabric, Garment, MarkerPiece
from scheduler.nesting import make_marker, nest

DENIM = Fabric("denim", 1500.0)


def shirt(order: str, chest: float = 1000.0) -> Garment:
    """A made-to-measure shirt's pieces, sized by chest (mm): fronts, back, sleeves, collar."""
    w = chest / 4 + 60
    front = ((0, 0), (750, 0), (750, w - 40), (680, w), (0, w))
    back = ((0, 0), (760, 0), (760, 2 * w - 80), (0, 2 * w - 80))
    sleeve = ((0, 0), (620, 60), (620, 340), (0, 400))
    collar = ((0, 0), (chest / 2.2, 0), (chest / 2.2 - 20, 90), (20, 90))
    pieces = (
        MarkerPiece("front", order, front, 2, grain_line=((100, w / 2), (600, w / 2))),
        MarkerPiece("back", order, back, 1),
        MarkerPiece("sleeve", order, sleeve, 2),
        MarkerPiece("collar", order, collar, 2),
    )
    return Garment(f"{order}-G1", order, "denim", pieces)


def test_every_garment_is_cut_exactly_once_within_the_rules():
    garments = [shirt(f"O{i}", 900 + 40 * i) for i in range(5)]
    sized = Garment("S-M", "S", "denim", shirt("S").pieces, demand=12)
    rules = CuttingRules(max_garments_per_marker=3, table_length_mm=6000, max_plies=5)
    plan = plan_cuts(garments + [sized], {"denim": DENIM}, rules, time_limit=5)
    cut: dict[str, int] = {}
    for lay in plan.lays:
        assert sum(n for _, n in lay.garments) <= 3
        assert lay.plies <= 5 and lay.expected_length_mm <= 6000
        for garment_id, copies in lay.garments:
            cut[garment_id] = cut.get(garment_id, 0) + copies * lay.plies
    assert cut == {**{g.garment_id: 1 for g in garments}, "S-M": 12}
    assert plan.fabric_mm == pytest.approx(
        sum(lay.expected_length_mm * lay.plies for lay in plan.lays)
    )


def test_unknown_fabric_and_oversized_garment_are_named():
    with pytest.raises(InputError, match="unknown fabric 'silk'"):
        plan_cuts([Garment("G", "O9", "silk", shirt("O9").pieces)], {"denim": DENIM})
    tiny = CuttingRules(table_length_mm=300)
    with pytest.raises(InputError, match="O1-G1 of order O1 .* longer than the 300 mm table"):
        plan_cuts([shirt("O1")], {"denim": DENIM}, tiny)


def test_marker_pieces_keep_the_gap_and_stay_on_the_fabric():
    pieces = list(shirt("O1").pieces) + list(shirt("O2", 1100).pieces)
    phases = []
    marker = make_marker(
        "M1",
        pieces,
        Fabric("poplin", 1200.0, directional=True),
        gap=2.0,
        time_limit=2,
        on_progress=lambda p, *_: phases.append(p),
    )
    assert "final" in phases
    assert len(marker.placements) == sum(p.quantity for p in pieces)
    polys = [Polygon(p.polygon) for p in marker.placements]
    fabric = box(0, 0, marker.length_mm + 1e-6, marker.width_mm + 1e-6)
    assert all(fabric.buffer(1e-3).contains(poly) for poly in polys)
    for i, a in enumerate(polys):
        for b in polys[i + 1 :]:
            assert a.distance(b) >= 2.0 - 0.01  # the minimum gap between pieces
    assert all(p.rotation == 0 for p in marker.placements)  # one-way nap
    area = sum(poly.area for poly in polys)
    assert marker.efficiency == pytest.approx(area / (marker.width_mm * marker.length_mm), 1e-3)


def test_piece_wider_than_the_fabric_is_refused():
    wide = MarkerPiece("back", "O1", ((0, 0), (100, 0), (100, 2000), (0, 2000)), 1, (0.0,))
    with pytest.raises(InputError, match="back of order O1 is 2000 mm across"):
        nest([wide], 1500.0, time_limit=1)


def test_marker_files_read_back(tmp_path):
    import ezdxf

    from scheduler.marker_export import write_marker_files

    marker = make_marker("M1", list(shirt("O1").pieces), DENIM, time_limit=1)
    svg, dxf, plt = write_marker_files(marker, tmp_path)
    root = ET.parse(svg).getroot()
    polygons = root.findall("{http://www.w3.org/2000/svg}polygon")
    assert len(polygons) == len(marker.placements)
    doc = ezdxf.readfile(dxf)
    boundaries = doc.modelspace().query('LWPOLYLINE[layer=="1"]')
    assert len(boundaries) == len(marker.placements)
    assert len(doc.modelspace().query('LINE[layer=="7"]')) == 2  # the fronts' grain lines
    hpgl = plt.read_text()
    assert hpgl.startswith("IN;") and hpgl.count("PD") == len(marker.placements)


def test_hostile_pieces_and_instances_are_named(tmp_path):
    from scheduler.nesting import load_strip_instance

    bowtie = MarkerPiece("yoke", "O7", ((0, 0), (100, 100), (100, 0), (0, 100)), 1)
    with pytest.raises(InputError, match="yoke of order O7: cut line is not a valid polygon"):
        nest([bowtie], 1500.0, time_limit=1)
    with pytest.raises(InputError, match="fewer than 3 points"):
        MarkerPiece("cuff", "O7", ((0, 0), (1, 1)))
    with pytest.raises(InputError, match="nothing to nest"):
        nest([], 1500.0)
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "items": []}')
    with pytest.raises(InputError, match="not a strip-packing instance"):
        load_strip_instance(bad)
