import numpy as np
import pandas as pd
import pytest

from core.errors import InputError
from design_bridge.demand.evaluate import evaluate
from design_bridge.demand.outlook import demand_outlook
from design_bridge.demand.recommenders import ModelSettings
from design_bridge.demand.retail import time_split

QUICK = ModelSettings(factors=16, als_iterations=5, bpr_iterations=20, knn_neighbours=20)


def _two_tastes(seed=0):
    """Two groups of customers that each buy from their own 30 items; popularity is flat."""
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(200):
        group = customer % 2
        items = rng.choice(30, size=10, replace=False) + 30 * group
        for n, item in enumerate(items):
            day = 1 + n * 3  # the last 3 purchases of each customer fall after the split
            rows.append((customer, f"I{item}", pd.Timestamp("2011-01-01") + pd.Timedelta(days=day)))
    df = pd.DataFrame(rows, columns=["customer", "item", "time"])
    return df.assign(description="", quantity=1, price=1.0)


def test_collaborative_models_learn_tastes_popularity_cannot():
    split = time_split(_two_tastes(), "2011-01-20")
    report, _ = evaluate(split, k=5, settings=QUICK)
    pop = report.score("popularity").ndcg_at_k
    for model in ("item_knn_bm25", "als"):
        assert report.score(model).ndcg_at_k > 1.5 * pop, model


def test_real_split_metrics_and_outlook(retail_sample):
    split = time_split(retail_sample, "2011-10-01")
    report, fitted = evaluate(split, k=10, settings=QUICK)
    names = [s.model for s in report.scores]
    assert names[0] == "popularity" and {"item_knn_bm25", "als", "bpr"} <= set(names)
    for s in report.scores:
        assert 0 <= s.precision_at_k <= 1 and 0 <= s.ndcg_at_k <= 1 and 0 < s.coverage_at_k <= 1
    # Personal lists reach further into the catalogue than one global list.
    assert report.score("als").coverage_at_k > report.score("popularity").coverage_at_k

    outlook = demand_outlook(split, fitted["als"], horizon_weeks=4)
    styles = outlook.by_attribute("style")
    sizes = outlook.by_attribute("size")
    assert {line.value for line in styles} <= {"shirt", "trousers", "skirt", "tshirt"}
    assert {line.value for line in sizes} == {"S", "M", "L", "XL"}
    # Every garment has one style and one size: both views add up to the same total.
    assert sum(x.expected for x in styles) == pytest.approx(
        sum(x.expected for x in sizes), rel=0.02
    )
    for line in outlook.lines:
        assert 0 <= line.low <= line.expected <= line.high
        assert line.observed is not None and line.observed >= 0
    with pytest.raises(InputError, match="horizon"):
        demand_outlook(split, fitted["als"], horizon_weeks=0)


def test_outlook_rates_count_new_pairs_the_way_the_test_does():
    from design_bridge.demand.outlook import _customer_rates

    rows = [
        (1, "A", "2011-01-01"),
        (2, "B", "2011-01-02"),
        (1, "A", "2011-02-05"),  # a repeat: not new
        (1, "B", "2011-02-06"),  # new, and B was known before the window: counts
        (2, "C", "2011-02-07"),  # C first appears in the window: the test could not score it
        (2, "A", "2011-02-08"),  # new: counts
        (2, "A", "2011-02-09"),  # the same pair again: once
        (1, "C", "2011-03-02"),  # after the split
    ]
    df = pd.DataFrame(rows, columns=["customer", "item", "time"])
    df = df.assign(time=pd.to_datetime(df["time"]), description="", quantity=1, price=1.0)
    split = time_split(df, "2011-03-01")
    assert _customer_rates(split, rate_weeks=4).tolist() == [0.25, 0.25]
    with pytest.raises(InputError, match="whole training period"):
        _customer_rates(split, rate_weeks=20)
