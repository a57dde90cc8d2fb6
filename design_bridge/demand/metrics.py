"""Top-k ranking metrics for recommendations, written out so each line can be checked by hand.

Conventions (as in Microsoft Recommenders' strict definitions):
- precision@k = hits in the top k / k (always k, also when fewer than k items were recommended);
- recall@k = hits in the top k / number of relevant items;
- NDCG@k with binary gains and log2 discount, normalised by the ideal ranking of
  min(k, number of relevant items) hits;
- coverage = distinct items recommended to anybody / items in the catalogue.
Users without relevant items are skipped by the averages (they cannot be scored).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from core.errors import InputError


def _check_k(k: int) -> None:
    if k < 1:
        raise InputError(f"metric cut-off k must be at least 1, got {k}")


def precision_at_k(recommended: Sequence, relevant: set, k: int) -> float:
    """Hits among the first k recommendations divided by k."""
    _check_k(k)
    return sum(1 for item in recommended[:k] if item in relevant) / k


def recall_at_k(recommended: Sequence, relevant: set, k: int) -> float:
    """Hits among the first k recommendations divided by the number of relevant items."""
    _check_k(k)
    if not relevant:
        return 0.0
    return sum(1 for item in recommended[:k] if item in relevant) / len(relevant)


def ndcg_at_k(recommended: Sequence, relevant: set, k: int) -> float:
    """Binary-gain NDCG: DCG of the list over DCG of the ideal list."""
    _check_k(k)
    if not relevant:
        return 0.0
    dcg = sum(
        1.0 / math.log2(rank + 2) for rank, item in enumerate(recommended[:k]) if item in relevant
    )
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(k, len(relevant))))
    return dcg / ideal


def coverage(recommendations: Iterable[Sequence], n_items: int, k: int) -> float:
    """Share of the catalogue that appears in at least one user's top k."""
    _check_k(k)
    if n_items < 1:
        raise InputError(f"coverage needs a catalogue of at least one item, got {n_items}")
    seen: set = set()
    for recs in recommendations:
        seen.update(recs[:k])
    return len(seen) / n_items


def mean_metrics(
    recommendations: Mapping[object, Sequence], relevant: Mapping[object, set], n_items: int, k: int
) -> dict[str, float]:
    """Average precision/recall/NDCG@k over users with relevant items, plus coverage."""
    users = [u for u, rel in relevant.items() if rel]
    if not users:
        raise InputError("no user has relevant items in the test period; cannot evaluate")
    recs = {u: list(recommendations.get(u, ())) for u in users}
    return {
        f"precision_at_{k}": sum(precision_at_k(recs[u], relevant[u], k) for u in users)
        / len(users),
        f"recall_at_{k}": sum(recall_at_k(recs[u], relevant[u], k) for u in users) / len(users),
        f"ndcg_at_{k}": sum(ndcg_at_k(recs[u], relevant[u], k) for u in users) / len(users),
        f"coverage_at_{k}": coverage(recs.values(), n_items, k),
        "users": float(len(users)),
    }
