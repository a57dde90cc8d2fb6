"""Custom orders for real bodies: ANSUR II subjects as made-to-measure customers (tests, bench)."""

from __future__ import annotations

import itertools
from datetime import date

import pandas as pd

from core.orders import STYLES, CustomOrder, Priority
from design_bridge.options import STYLE_OPTIONS
from design_bridge.tools.make_size_tables import COLUMNS, load_ansur


def ansur_bodies(n: int, seed: int = 7) -> list[tuple[str, dict[str, float]]]:
    """n subjects drawn from men and women together: (body kind, measurements in cm)."""
    frames = load_ansur()
    both = pd.concat([df.assign(kind=kind) for kind, df in frames.items()], ignore_index=True)
    sample = both.sample(n, random_state=seed, replace=n > len(both))
    return [
        (row["kind"], {name: round(float(row[name]), 1) for name in COLUMNS})
        for _, row in sample.iterrows()
    ]


def ansur_orders(n_bodies: int, styles=STYLES, seed: int = 7) -> list[CustomOrder]:
    """Every style for each body, cycling through every option value."""
    cycles = {s: itertools.cycle(_option_sets(s)) for s in styles}
    orders = []
    for i, (kind, measurements) in enumerate(ansur_bodies(n_bodies, seed)):
        for style in styles:
            options = {**next(cycles[style]), "body": kind}
            orders.append(
                CustomOrder(
                    order_id=f"ANSUR-{i:04d}-{style}",
                    customer=f"subject {i}",
                    style=style,
                    options=options,
                    size=None,
                    measurements=measurements,
                    fabric="POPLIN-WHT" if style != "tshirt" else "JERSEY-WHT",
                    quantity=1,
                    due_date=date(2026, 12, 1),
                    priority=Priority.NORMAL,
                )
            )
    return orders


def _option_sets(style: str) -> list[dict[str, str]]:
    allowed = {k: v for k, v in STYLE_OPTIONS[style].items() if k != "body"}
    keys = list(allowed)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*allowed.values())]
