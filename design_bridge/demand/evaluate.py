"""Offline evaluation of recommenders on a time split, always next to the popularity baseline."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from design_bridge.demand.metrics import mean_metrics
from design_bridge.demand.recommenders import ModelSettings, Recommender, build_models
from design_bridge.demand.retail import TimeSplit

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


@dataclass
class ModelScore:
    """One model's metrics on the test customers and how long fitting took."""

    model: str
    precision_at_k: float
    recall_at_k: float
    ndcg_at_k: float
    coverage_at_k: float
    fit_seconds: float
    recommend_seconds: float


@dataclass
class RecommendationReport:
    """Evaluation of every model on one time split; JSON-serialisable via `to_dict`."""

    split_time: str
    k: int
    train_customers: int
    train_items: int
    test_customers: int
    scores: list[ModelScore] = field(default_factory=list)

    def score(self, model: str) -> ModelScore:
        return next(s for s in self.scores if s.model == model)

    @property
    def best(self) -> ModelScore:
        return max((s for s in self.scores if s.model != "popularity"), key=lambda s: s.ndcg_at_k)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["best_model"] = self.best.model
        return out


def recommend_all(
    model: Recommender, split: TimeSplit, users: np.ndarray, k: int, batch: int = 2048
) -> dict[int, list[int]]:
    """Top-k item indices per user index, dropping the -1 padding."""
    out: dict[int, list[int]] = {}
    for start in range(0, len(users), batch):
        chunk = users[start : start + batch]
        ids, _ = model.recommend(chunk, split.matrix, k)
        for user, row in zip(chunk, ids, strict=True):
            out[int(user)] = [int(i) for i in row if i >= 0]
    return out


def evaluate(
    split: TimeSplit,
    k: int = 10,
    settings: ModelSettings | None = None,
    models: list[Recommender] | None = None,
    use_gpu: bool = False,
    progress: Progress | None = None,
) -> tuple[RecommendationReport, dict[str, Recommender]]:
    """Fit each model on the training matrix and score it on the held-out new purchases."""
    from threadpoolctl import threadpool_limits

    users = np.array(sorted(split.relevant), dtype=np.int64)
    report = RecommendationReport(
        split_time=split.split_time.isoformat(),
        k=k,
        train_customers=len(split.customers),
        train_items=len(split.items),
        test_customers=len(users),
    )
    fitted: dict[str, Recommender] = {}
    # implicit warns (and slows) when BLAS runs its own threads inside its parallel loops.
    with threadpool_limits(1, "blas"):
        models = models or build_models(settings or ModelSettings(), use_gpu=use_gpu)
        for n, model in enumerate(models):
            if progress:
                progress(model.name, n, len(models))
            t0 = time.perf_counter()
            model.fit(split.matrix)
            t1 = time.perf_counter()
            recs = recommend_all(model, split, users, k)
            t2 = time.perf_counter()
            m = mean_metrics(recs, split.relevant, len(split.items), k)
            report.scores.append(
                ModelScore(
                    model=model.name,
                    precision_at_k=m[f"precision_at_{k}"],
                    recall_at_k=m[f"recall_at_{k}"],
                    ndcg_at_k=m[f"ndcg_at_{k}"],
                    coverage_at_k=m[f"coverage_at_{k}"],
                    fit_seconds=t1 - t0,
                    recommend_seconds=t2 - t1,
                )
            )
            fitted[model.name] = model
            log.info("%s: NDCG@%d %.4f (fit %.2f s)", model.name, k, m[f"ndcg_at_{k}"], t1 - t0)
    if progress:
        progress("done", len(models), len(models))
    return report, fitted
