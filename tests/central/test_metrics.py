import math

import pytest

from core.errors import InputError
from design_bridge.demand.metrics import (
    coverage,
    mean_metrics,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)


def test_precision_divides_by_k_even_when_fewer_items_are_recommended():
    assert precision_at_k(["a", "b"], {"a", "b"}, k=10) == pytest.approx(2 / 10)
    assert precision_at_k(["a", "x", "b", "y"], {"a", "b", "c"}, k=2) == pytest.approx(1 / 2)


def test_recall_divides_by_relevant_items():
    assert recall_at_k(["a", "x", "b"], {"a", "b", "c", "d"}, k=3) == pytest.approx(2 / 4)
    assert recall_at_k(["x", "y", "a"], {"a"}, k=2) == 0.0


def test_ndcg_by_hand():
    # Hits at ranks 1 and 3: DCG = 1 + 1/log2(4) = 1.5; ideal for 2 relevant = 1 + 1/log2(3).
    expected = 1.5 / (1 + 1 / math.log2(3))
    assert ndcg_at_k(["a", "x", "b"], {"a", "b"}, k=3) == pytest.approx(expected)
    assert ndcg_at_k(["a", "b", "x"], {"a", "b"}, k=3) == pytest.approx(1.0)
    # Ideal is capped at k hits: 5 relevant, k = 2, both hit -> 1.
    assert ndcg_at_k(["a", "b"], {"a", "b", "c", "d", "e"}, k=2) == pytest.approx(1.0)
    # A hit only at rank 2 of k = 2 with one relevant item: (1/log2 3) / 1.
    assert ndcg_at_k(["x", "a"], {"a"}, k=2) == pytest.approx(1 / math.log2(3))


def test_coverage_counts_distinct_items_in_top_k():
    assert coverage([["a", "b", "c"], ["a", "d"]], n_items=8, k=2) == pytest.approx(3 / 8)


def test_mean_metrics_skips_users_without_relevant_items():
    recs = {1: ["a", "b"], 2: ["c", "d"], 3: ["a", "c"]}
    relevant = {1: {"a"}, 2: {"x"}, 3: set()}
    m = mean_metrics(recs, relevant, n_items=4, k=2)
    assert m["users"] == 2
    assert m["precision_at_2"] == pytest.approx((1 / 2 + 0) / 2)
    assert m["recall_at_2"] == pytest.approx((1 + 0) / 2)
    assert m["coverage_at_2"] == pytest.approx(4 / 4)


def test_bad_cut_off_and_empty_test_are_errors():
    with pytest.raises(InputError, match="at least 1"):
        precision_at_k(["a"], {"a"}, k=0)
    with pytest.raises(InputError, match="no user"):
        mean_metrics({1: ["a"]}, {1: set()}, n_items=1, k=1)
