"""500 real ANSUR II bodies x 4 styles draft without an error, with every seam in tolerance."""

from __future__ import annotations

import collections
import random

from core.errors import InputError
from design_bridge import draft_order
from design_bridge.measurements import ranges
from design_bridge.options import STYLE_OPTIONS
from design_bridge.tools.ansur_orders import ansur_orders

from .conftest import make_order


def test_500_ansur_bodies_draft_in_every_style():
    orders = ansur_orders(500, seed=11)
    assert len(orders) == 2000
    flagged = collections.Counter()
    for order in orders:
        d = draft_order(order)
        for p in d.pieces:
            assert p.sewing_line.is_valid and p.cut_line.is_valid, (order.order_id, p.name)
            assert p.cut_line.contains(p.sewing_line), (order.order_id, p.name)
        assert all(s.ok for s in d.seams), (order.order_id, [s for s in d.seams if not s.ok])
        assert d.bom.fabric_length_m > 0 and d.smv_total > 0
        flagged[order.style] += bool(d.flags)
    # the fit check flags real misfits, but most soldiers fit every style's ease range
    for style, count in flagged.items():
        assert count < 0.2 * 500, (style, count)


def test_random_measurements_inside_the_ranges_draft_or_are_refused_clearly():
    """Each value plausible alone, the combination often not: a valid draft or an InputError."""
    rnd = random.Random(5)
    drafted = refused = 0
    for i in range(300):
        measurements = {
            name: round(rnd.uniform(r["min"], r["max"]), 1)
            for name, r in ranges().items()
            if name in ("height", "chest", "waist", "hip") or rnd.random() < 0.6
        }
        style = rnd.choice(list(STYLE_OPTIONS))
        options = {k: rnd.choice(v) for k, v in STYLE_OPTIONS[style].items()}
        order = make_order(style, f"R-{i}", measurements=measurements, options=options)
        try:
            d = draft_order(order)
        except InputError as exc:
            assert str(exc).startswith(f"order R-{i}: ")
            refused += 1
            continue
        drafted += 1
        for p in d.pieces:
            assert p.sewing_line.is_valid and p.cut_line.contains(p.sewing_line)
    assert drafted > refused > 0
