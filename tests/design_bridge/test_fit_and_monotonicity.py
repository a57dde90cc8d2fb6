"""Bigger bodies give bigger pieces; the fit check reports ease and flags what is outside it."""

from __future__ import annotations

import pytest
from shapely.geometry import Point

from design_bridge import draft_order
from design_bridge.options import STYLE_OPTIONS
from design_bridge.styles.common import width_at

from .conftest import make_order

BASE = {
    "height": 176.0,
    "neck": 40.0,
    "chest": 100.0,
    "waist": 86.0,
    "hip": 100.0,
    "shoulder_width": 41.0,
    "arm_length": 60.0,
    "wrist": 17.0,
    "back_waist_length": 46.0,
    "inseam": 82.0,
    "thigh": 58.0,
}


def _pieces(style, **change):
    d = draft_order(make_order(style, measurements={**BASE, **change}))
    return {p.name: p for p in d.pieces}, d


@pytest.mark.parametrize("style", ["shirt", "tshirt"])
@pytest.mark.parametrize("chest", [90.0, 110.0, 125.0])
def test_larger_chest_gives_larger_front_and_back(style, chest):
    small, _ = _pieces(style, chest=chest)
    large, _ = _pieces(style, chest=chest + 4)
    for name in ("front", "back", "sleeve"):
        assert large[name].sewing_line.area > small[name].sewing_line.area, name
    y = small["front"].sewing_line.bounds[3] * 0.5
    assert width_at(large["front"], y) > width_at(small["front"], y)


@pytest.mark.parametrize("style", ["trousers", "skirt"])
@pytest.mark.parametrize("hip", [92.0, 105.0, 120.0])
def test_larger_hip_gives_larger_front_and_back(style, hip):
    small, _ = _pieces(style, hip=hip)
    large, _ = _pieces(style, hip=hip + 4)
    for name in ("front", "back"):
        assert large[name].sewing_line.area > small[name].sewing_line.area, name


def test_longer_inseam_gives_longer_trousers():
    short, _ = _pieces("trousers", inseam=76.0)
    long_, _ = _pieces("trousers", inseam=86.0)
    for name in ("front", "back"):
        height = lambda p: p.sewing_line.bounds[3] - p.sewing_line.bounds[1]  # noqa: E731
        assert height(long_[name]) == pytest.approx(height(short[name]) + 100, abs=1.0)


@pytest.mark.parametrize(
    ("style", "girths"),
    [
        ("shirt", {"chest", "waist", "hip"}),
        ("tshirt", {"chest", "waist", "hip"}),
        ("trousers", {"waist", "hip", "thigh"}),
        ("skirt", {"waist", "hip"}),
    ],
)
def test_fit_report_measures_the_pieces_at_each_key_girth(style, girths):
    _, d = _pieces(style)
    assert {f.girth for f in d.fit} == girths
    for f in d.fit:
        assert f.body_cm == BASE[f.girth]
        assert f.ease_cm == pytest.approx(f.garment_cm - f.body_cm, abs=0.11)
        assert f.ok, f


def test_fit_ease_grows_from_slim_to_relaxed():
    eases = []
    for fit in ("slim", "regular", "relaxed"):
        d = draft_order(make_order("shirt", measurements=BASE, options={"fit": fit}))
        eases.append(next(f.ease_cm for f in d.fit if f.girth == "chest"))
    assert eases[0] < eases[1] < eases[2]


def test_a_straight_skirt_on_a_waist_wider_than_hip_is_flagged_with_numbers():
    _, d = _pieces("skirt", waist=118.0, hip=104.0)
    hip = next(f for f in d.fit if f.girth == "hip")
    assert not hip.ok and hip.ease_cm > hip.max_cm
    assert any(f.startswith("hip ease") and f"{hip.body_cm:g} cm" in f for f in d.flags)


def test_a_slim_shirt_cannot_follow_a_very_narrow_waist():
    d = draft_order(
        make_order(
            "shirt", options={"fit": "slim"}, measurements={**BASE, "chest": 120.0, "waist": 72.0}
        )
    )
    waist = next(f for f in d.fit if f.girth == "waist")
    assert not waist.ok and waist.ease_cm > waist.max_cm


def test_the_womens_shirt_front_has_a_bust_dart_the_mens_has_not():
    men = draft_order(make_order("shirt", measurements=BASE, options={"body": "men"}))
    women = draft_order(make_order("shirt", measurements=BASE, options={"body": "women"}))
    front_m = next(p for p in men.pieces if p.name == "front")
    front_w = next(p for p in women.pieces if p.name == "front")
    assert not front_m.darts and [d.name for d in front_w.darts] == ["bust_dart"]
    dart = front_w.darts[0]
    assert front_w.sewing_line.contains(Point(dart.apex))
    # the front is longer by the dart, and the sewn side seam still matches the back
    height = lambda p: p.sewing_line.bounds[3] - p.sewing_line.bounds[1]  # noqa: E731
    assert height(front_w) == pytest.approx(height(front_m) + dart.intake, abs=0.5)
    assert all(s.ok for s in women.seams)


@pytest.mark.parametrize(
    ("style", "option"),
    [
        ("shirt", "fit"),
        ("shirt", "sleeve"),
        ("shirt", "collar"),
        ("trousers", "fit"),
        ("trousers", "leg"),
        ("skirt", "fit"),
        ("skirt", "length"),
        ("tshirt", "fit"),
        ("tshirt", "sleeve"),
    ],
)
def test_every_option_value_changes_the_pieces(style, option):
    shapes = set()
    for value in STYLE_OPTIONS[style][option]:
        d = draft_order(make_order(style, measurements=BASE, options={option: value}))
        shapes.add(tuple((p.name, round(p.cut_area_mm2)) for p in d.pieces))
    assert len(shapes) == len(STYLE_OPTIONS[style][option])
