"""Metrics on hand-made cases, and the fabric_stain folds keep augmented copies together."""

import numpy as np
import pytest

from inspection.fabric_stain import folds, load_items
from inspection.metrics import bootstrap, image_metrics, recall_at_fpr, threshold_at_fpr


def test_recall_at_fpr_counts_defects_above_the_good_quantile():
    good = np.arange(100, dtype=float)  # scores 0..99
    labels = np.array([0] * 100 + [1] * 4)
    scores = np.concatenate([good, [94.5, 97.5, 99.5, 200.0]])
    assert threshold_at_fpr(good, 0.05) == 94.0  # flags 95..99: five goods, 5%
    assert recall_at_fpr(labels, scores, 0.05) == 1.0
    assert recall_at_fpr(labels, scores, 0.01) == 0.5  # threshold 98: only 99.5 and 200 pass


def test_image_metrics_on_perfect_and_reversed_scores():
    labels = np.array([0, 0, 0, 1, 1])
    perfect = image_metrics(labels, np.array([0.1, 0.2, 0.3, 0.8, 0.9]))
    assert perfect["image_auroc"] == 1.0 and perfect["best_f1"] == 1.0
    reversed_ = image_metrics(labels, np.array([0.9, 0.8, 0.7, 0.2, 0.1]))
    assert reversed_["image_auroc"] == 0.0 and reversed_["recall_at_5pct_fpr"] == 0.0


def test_bootstrap_interval_brackets_the_estimate():
    rng = np.random.default_rng(0)
    labels = np.array([0] * 60 + [1] * 40)
    scores = rng.normal(size=100) + labels * 1.5
    point = image_metrics(labels, scores)["image_auroc"]
    lo, hi = bootstrap(labels, scores, rounds=200)["image_auroc"]
    assert lo < point < hi and hi - lo < 0.3


@pytest.fixture(scope="module")
def items():
    return load_items()


def test_duplicates_are_dropped_and_counts_match_the_data_set(items):
    assert sum(it.label for it in items) == 398
    assert sum(1 for it in items if it.label == 0 and it.original) == 68
    assert len({it.path for it in items}) == len(items) == 806 - 24


def test_folds_never_split_an_original_from_its_copies(items):
    groups = np.array([it.group for it in items])
    labels = np.array([it.label for it in items])
    seen_test = []
    for train, test in folds(items, 5, seed=0):
        assert not set(groups[train]) & set(groups[test])
        assert 0.4 < labels[test].mean() < 0.6  # stratified: about half stains in every fold
        seen_test.extend(test)
    assert sorted(seen_test) == list(range(len(items)))
