"""The series the trend models run on: US clothing-store sales, and attribute series from orders."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from core.errors import InputError

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "clothing_sales"
CLOTHING_NSA = DATA_DIR / "MRTSSM448USN.csv"
ATTRIBUTES = ("style", "colour", "fabric", "option", "size")


def load_clothing_sales(path: Path | str = CLOTHING_NSA, start: str | None = None) -> pd.DataFrame:
    """Monthly US clothing-store sales (million USD, not seasonally adjusted), long format."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"clothing sales file {path} does not exist")
    raw = pd.read_csv(path)
    if list(raw.columns[:1]) != ["DATE"] or len(raw.columns) != 2:
        raise InputError(f"clothing sales file {path}: expected columns DATE,<series id>")
    series_id = raw.columns[1]
    df = pd.DataFrame(
        {
            "unique_id": series_id,
            "ds": pd.to_datetime(raw["DATE"], errors="coerce"),
            "y": pd.to_numeric(raw[series_id], errors="coerce"),
        }
    )
    bad = df[df["ds"].isna() | df["y"].isna()]
    if not bad.empty:
        raise InputError(
            f"clothing sales file {path}: unreadable date or value on row(s) "
            f"{', '.join(str(i + 2) for i in bad.index[:5])}"
        )
    if start:
        df = df[df["ds"] >= pd.Timestamp(start)]
    return df.reset_index(drop=True)


def attribute_series(orders: pd.DataFrame, freq: str = "W-SUN") -> pd.DataFrame:
    """Weekly garments (weeks from Monday) per attribute value ("colour=red", ...) from orders.

    `orders` has a `date` column, a `quantity` column and any of style, colour, fabric, size
    (strings) and options (a dict per row). Weeks without an order count zero.
    """
    if "date" not in orders.columns or "quantity" not in orders.columns:
        raise InputError("orders for attribute series need columns date and quantity")
    if orders.empty:
        raise InputError("orders for attribute series are empty")
    dates = pd.to_datetime(orders["date"], errors="coerce")
    if dates.isna().any():
        raise InputError(f"orders row {int(dates.isna().idxmax())}: unreadable date")
    week = dates.dt.to_period(freq).dt.start_time
    parts = []
    for column in ("style", "colour", "fabric", "size"):
        if column in orders.columns:
            parts.append(
                pd.DataFrame(
                    {
                        "ds": week,
                        "unique_id": column + "=" + orders[column].astype(str),
                        "y": orders["quantity"],
                    }
                )
            )
    if "options" in orders.columns:
        rows = [
            (w, f"{k}={v}", q)
            for w, opts, q in zip(week, orders["options"], orders["quantity"], strict=True)
            for k, v in (opts or {}).items()
        ]
        parts.append(pd.DataFrame(rows, columns=["ds", "unique_id", "y"]))
    if not parts:
        raise InputError("orders carry none of style, colour, fabric, size, options")
    long = pd.concat(parts).groupby(["unique_id", "ds"], as_index=False)["y"].sum()
    last = week.max()
    # A week the data stops in the middle of would read as a collapse in demand.
    if dates.max() < last + pd.Timedelta(days=6):
        last -= pd.Timedelta(days=7)
        long = long[long["ds"] <= last]
    weeks = pd.date_range(week.min(), last, freq="7D")
    full = pd.MultiIndex.from_product(
        [long["unique_id"].unique(), weeks], names=["unique_id", "ds"]
    )
    out = long.set_index(["unique_id", "ds"]).reindex(full, fill_value=0).reset_index()
    out["y"] = out["y"].astype(float)
    log.info("%d attribute series over %d weeks", out["unique_id"].nunique(), len(weeks))
    return out
