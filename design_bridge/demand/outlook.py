"""Recommendation scores become expected demand per style, option, size bucket and fabric.

Each customer's rate of new purchases per week (from training) is spread over the items the
recommender ranks for them, in proportion to their scores; the item shares are summed by
attribute (see `proxy` for how items get attributes). Intervals are normal approximations to
an over-dispersed Poisson count whose dispersion is each attribute's weekly variance-to-mean
ratio in the last training weeks.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from core.errors import InputError
from design_bridge.demand.proxy import item_attributes, size_bucket_of
from design_bridge.demand.recommenders import Recommender
from design_bridge.demand.retail import TimeSplit

log = logging.getLogger(__name__)


@dataclass
class DemandLine:
    """Expected garments over the horizon for one attribute value, with its interval."""

    attribute: str
    value: str
    expected: float
    low: float
    high: float
    observed: float | None = None


@dataclass
class DemandOutlook:
    """Demand per attribute over `horizon_weeks`; `observed` is the test period's, scaled."""

    model: str
    horizon_weeks: int
    interval: float
    lines: list[DemandLine] = field(default_factory=list)

    def by_attribute(self, attribute: str) -> list[DemandLine]:
        return [line for line in self.lines if line.attribute == attribute]

    def to_dict(self) -> dict:
        return asdict(self)


def _first_purchases(frame: pd.DataFrame) -> pd.DataFrame:
    if "kind" in frame.columns:
        frame = frame[frame["kind"] == "order"]  # views and returns are not garments ordered
    return frame.sort_values("time").drop_duplicates(["customer", "item"])


def _customer_rates(split: TimeSplit, rate_weeks: int) -> np.ndarray:
    """New (customer, item) pairs per week in the last `rate_weeks` of training, counted the way
    the test counts them: items known before that window, not bought before it."""
    start = split.split_time - pd.Timedelta(weeks=rate_weeks)
    before = split.train[split.train["time"] < start]
    window = _first_purchases(split.train[split.train["time"] >= start])
    if before.empty:
        raise InputError(f"rate window of {rate_weeks} weeks covers the whole training period")
    seen = pd.MultiIndex.from_frame(before[["customer", "item"]]).unique()
    pairs = pd.MultiIndex.from_frame(window[["customer", "item"]])
    new = window[~pairs.isin(seen) & window["item"].isin(before["item"].unique())]
    per_customer = new.groupby("customer").size().reindex(split.customers, fill_value=0)
    return per_customer.to_numpy(dtype=float) / rate_weeks


def _item_rates(
    split: TimeSplit, model: Recommender, top_n: int, rate_weeks: int
) -> tuple[np.ndarray, np.ndarray]:
    """Expected new purchase lines per week per item, and per customer (rates)."""
    rates = _customer_rates(split, rate_weeks)
    users = np.arange(len(split.customers))
    ids, scores = model.recommend(users, split.matrix, top_n)
    scores = np.clip(scores, 0.0, None)
    totals = scores.sum(axis=1, keepdims=True)
    shares = np.divide(scores, totals, out=np.zeros_like(scores), where=totals > 0)
    item_rate = np.zeros(len(split.items))
    valid = ids >= 0
    np.add.at(item_rate, ids[valid], (shares * rates[:, None])[valid])
    return item_rate, rates


def _weekly_counts(frame: pd.DataFrame, key: pd.Series, weeks: int) -> pd.DataFrame:
    week = frame["time"].dt.to_period("W")
    counts = frame.assign(week=week, key=key.to_numpy()).groupby(["key", "week"]).size()
    table = counts.unstack(fill_value=0)
    return table.iloc[:, -weeks:] if table.shape[1] > weeks else table


def demand_outlook(
    split: TimeSplit,
    model: Recommender,
    horizon_weeks: int = 8,
    interval: float = 0.8,
    top_n: int = 20,
    dispersion_weeks: int = 12,
    rate_weeks: int = 12,
) -> DemandOutlook:
    """Expected garments per style, option, size bucket, fabric and colour over the horizon."""
    if horizon_weeks < 1:
        raise InputError(f"demand horizon must be at least one week, got {horizon_weeks}")
    if not 0 < interval < 1:
        raise InputError(f"interval level must lie between 0 and 1, got {interval}")
    item_rate, customer_rate = _item_rates(split, model, top_n, rate_weeks)
    described = split.train.drop_duplicates("item").set_index("item").loc[split.items]
    attrs = item_attributes(
        pd.DataFrame({"item": split.items, "description": described["description"].to_numpy()})
    ).set_index("item")
    sizes = pd.Series([size_bucket_of(int(c)) for c in split.customers], index=split.customers)

    expected: dict[tuple[str, str], float] = {}
    item_keys: dict[str, pd.Series] = {}
    for column in ("style", "fabric", "colour"):
        item_keys[column] = attrs[column]
        for value, rate in (
            pd.Series(item_rate, index=attrs.index).groupby(attrs[column]).sum().items()
        ):
            expected[(column, str(value))] = float(rate)
    for column in [c for c in attrs.columns if c.startswith("option:")]:
        mask = attrs[column].fillna(0).to_numpy() > 0
        expected[("option", column.removeprefix("option:"))] = float(item_rate[mask].sum())
    for bucket, rate in (
        pd.Series(customer_rate, index=split.customers).groupby(sizes).sum().items()
    ):
        expected[("size", str(bucket))] = float(rate)

    train_firsts = _first_purchases(split.train)
    test_firsts = _first_purchases(split.test) if not split.test.empty else split.test
    z = float(stats.norm.ppf(0.5 + interval / 2))
    outlook = DemandOutlook(model=model.name, horizon_weeks=horizon_weeks, interval=interval)
    for (attribute, value), rate in sorted(expected.items()):
        key_train = _attribute_key(train_firsts, attribute, value, attrs, sizes)
        weekly = _weekly_counts(train_firsts, key_train, dispersion_weeks)
        series = weekly.loc[True] if True in weekly.index else pd.Series([0.0])
        mean = float(series.mean())
        dispersion = (
            max(float(series.var(ddof=1)) / mean, 1.0) if mean > 0 and len(series) > 1 else 1.0
        )
        centre = rate * horizon_weeks
        spread = z * float(np.sqrt(dispersion * centre))
        observed = None
        if not test_firsts.empty and split.test_weeks > 0:
            hits = _attribute_key(test_firsts, attribute, value, attrs, sizes).sum()
            observed = float(hits) / split.test_weeks * horizon_weeks
        outlook.lines.append(
            DemandLine(
                attribute, value, centre, max(centre - spread, 0.0), centre + spread, observed
            )
        )
    log.info("demand outlook from %s: %d attribute values", model.name, len(outlook.lines))
    return outlook


def _attribute_key(
    frame: pd.DataFrame, attribute: str, value: str, attrs: pd.DataFrame, sizes: pd.Series
) -> pd.Series:
    """Boolean per row: does this purchase line carry the attribute value?"""
    if attribute == "size":
        return frame["customer"].map(sizes).eq(value)
    column = f"option:{value}" if attribute == "option" else attribute
    per_item = attrs[column]
    if attribute == "option":
        return frame["item"].map(per_item).fillna(0).gt(0)
    return frame["item"].map(per_item).eq(value)
