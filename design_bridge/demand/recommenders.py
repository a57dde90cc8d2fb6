"""Recommenders over a customers x items matrix: popularity baseline, item-kNN, ALS, BPR.

All share one shape: `fit(matrix)` then `recommend(users, matrix, k)` returning item indices
and scores per user, with items the customer already bought filtered out. The collaborative
models come from `implicit`; they run on a GPU when `implicit` was built with CUDA.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import sparse

from core.errors import InputError

log = logging.getLogger(__name__)


class Recommender(Protocol):
    name: str

    def fit(self, matrix: sparse.csr_matrix) -> None: ...

    def recommend(
        self, users: np.ndarray, matrix: sparse.csr_matrix, k: int
    ) -> tuple[np.ndarray, np.ndarray]: ...


class PopularityRecommender:
    """Items bought by the most customers, minus what each customer already has."""

    name = "popularity"

    def __init__(self) -> None:
        self._order: np.ndarray | None = None
        self._score: np.ndarray | None = None

    def fit(self, matrix: sparse.csr_matrix) -> None:
        buyers = np.asarray((matrix > 0).sum(axis=0)).ravel().astype(np.float32)
        self._score = buyers
        self._order = np.argsort(-buyers, kind="stable")

    def recommend(
        self, users: np.ndarray, matrix: sparse.csr_matrix, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        if self._order is None or self._score is None:
            raise InputError("popularity recommender used before fit")
        ids = np.full((len(users), k), -1, dtype=np.int64)
        scores = np.zeros((len(users), k), dtype=np.float32)
        for row, user in enumerate(users):
            owned = set(matrix.indices[matrix.indptr[user] : matrix.indptr[user + 1]])
            picked = [i for i in self._order[: k + len(owned)] if i not in owned][:k]
            ids[row, : len(picked)] = picked
            scores[row, : len(picked)] = self._score[picked]
        return ids, scores


class ImplicitRecommender:
    """Adapter for an `implicit` model; `weight` reweights the matrix before fit (BM25 for ALS)."""

    def __init__(
        self,
        name: str,
        model: object,
        weight: Callable[[sparse.csr_matrix], sparse.csr_matrix] | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self._weight = weight

    def fit(self, matrix: sparse.csr_matrix) -> None:
        from implicit.utils import ParameterWarning

        fitted = self._weight(matrix) if self._weight else matrix
        with warnings.catch_warnings():
            # BM25Recommender reweights to COO inside implicit and then warns about its own input.
            warnings.simplefilter("ignore", ParameterWarning)
            self.model.fit(fitted.tocsr(), show_progress=False)

    def recommend(
        self, users: np.ndarray, matrix: sparse.csr_matrix, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        ids, scores = self.model.recommend(
            users, matrix[users], N=k, filter_already_liked_items=True
        )
        return np.asarray(ids, dtype=np.int64), np.asarray(scores, dtype=np.float32)


@dataclass(frozen=True)
class ModelSettings:
    """Hyper-parameters of the collaborative models (defaults tuned on the UCI time split)."""

    factors: int = 64
    als_iterations: int = 15
    als_regularization: float = 0.05
    bpr_iterations: int = 100
    knn_neighbours: int = 50
    threads: int = 2
    seed: int = 0


def gpu_available() -> bool:
    """True when `implicit` was built with CUDA and sees a device."""
    try:
        import implicit.gpu

        return bool(implicit.gpu.HAS_CUDA)
    except ImportError:
        return False


def build_models(settings: ModelSettings, use_gpu: bool = False) -> list[Recommender]:
    """The popularity baseline first, then item-kNN (BM25), ALS (BM25-weighted) and BPR."""
    from implicit.als import AlternatingLeastSquares
    from implicit.bpr import BayesianPersonalizedRanking
    from implicit.nearest_neighbours import BM25Recommender, bm25_weight

    use_gpu = use_gpu and gpu_available()
    return [
        PopularityRecommender(),
        ImplicitRecommender(
            "item_knn_bm25",
            BM25Recommender(K=settings.knn_neighbours, num_threads=settings.threads),
        ),
        ImplicitRecommender(
            "als",
            AlternatingLeastSquares(
                factors=settings.factors,
                iterations=settings.als_iterations,
                regularization=settings.als_regularization,
                use_gpu=use_gpu,
                num_threads=settings.threads,
                random_state=settings.seed,
            ),
            weight=lambda m: bm25_weight(m, K1=100, B=0.8).tocsr(),
        ),
        ImplicitRecommender(
            "bpr",
            BayesianPersonalizedRanking(
                factors=settings.factors,
                iterations=settings.bpr_iterations,
                use_gpu=use_gpu,
                num_threads=settings.threads,
                random_state=settings.seed,
            ),
        ),
    ]
