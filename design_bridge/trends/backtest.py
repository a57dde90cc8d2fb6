"""Rolling-origin backtests of statsforecast models, scored by WAPE and MASE.

Each origin (cutoff) refits every model on the history up to it and forecasts `h` steps; the
origins move `step_size` steps at a time, `n_windows` of them, ending at the series' end.
WAPE = sum |y - yhat| / sum |y| over all series, origins and steps. MASE divides each origin's
mean absolute error by the in-sample mean absolute seasonal difference of the history before
that origin (lag = season length, or 1 when the history is shorter than two seasons), and
averages over series and origins; histories with a zero scale are left out of MASE.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from core.errors import InputError

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
BASELINE = "SeasonalNaive"


def default_models(season_length: int, intermittent: bool = False) -> list:
    """Seasonal naive baseline, AutoETS, AutoARIMA; plus Croston and TSB for sparse series."""
    from statsforecast.models import TSB, AutoARIMA, AutoETS, CrostonClassic, SeasonalNaive

    models = [
        SeasonalNaive(season_length=season_length),
        AutoETS(season_length=season_length),
        AutoARIMA(season_length=season_length),
    ]
    if intermittent:
        models += [CrostonClassic(), TSB(alpha_d=0.2, alpha_p=0.2)]
    return models


@dataclass
class ModelBacktest:
    """One model's accuracy over all origins and series, and its total fit-and-forecast time."""

    model: str
    wape: float
    mase: float
    seconds: float


@dataclass
class BacktestReport:
    """All models on one set of series; JSON-serialisable via `to_dict`."""

    name: str
    freq: str
    season_length: int
    h: int
    n_windows: int
    step_size: int
    series: int
    cutoffs: list[str] = field(default_factory=list)
    models: list[ModelBacktest] = field(default_factory=list)

    def model(self, name: str) -> ModelBacktest:
        return next(m for m in self.models if m.model == name)

    @property
    def best(self) -> ModelBacktest:
        return min(self.models, key=lambda m: m.wape)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["best_model"] = self.best.model
        return out


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Weighted absolute percentage error as a fraction (0.05 = 5 %)."""
    total = float(np.abs(actual).sum())
    if total == 0:
        raise InputError("WAPE is undefined when every actual value is zero")
    return float(np.abs(actual - forecast).sum()) / total


def mase_scale(history: np.ndarray, season_length: int) -> float:
    """Mean absolute seasonal difference of the history (lag 1 when it is too short)."""
    lag = season_length if len(history) >= 2 * season_length else 1
    if len(history) <= lag:
        return 0.0
    return float(np.mean(np.abs(history[lag:] - history[:-lag])))


def check_series(df: pd.DataFrame, name: str) -> None:
    missing = {"unique_id", "ds", "y"} - set(df.columns)
    if missing:
        raise InputError(f"series {name} lacks column(s) {', '.join(sorted(missing))}")
    if df["y"].isna().any():
        raise InputError(f"series {name} has missing values in y")


def backtest(
    df: pd.DataFrame,
    *,
    name: str,
    freq: str,
    season_length: int,
    h: int,
    n_windows: int,
    step_size: int = 1,
    models: list | None = None,
    progress: Progress | None = None,
) -> BacktestReport:
    """Rolling-origin backtest of each model on long-format series (unique_id, ds, y)."""
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    check_series(df, name)
    shortest = int(df.groupby("unique_id").size().min())
    needed = h + (n_windows - 1) * step_size + max(2, season_length)
    if shortest < needed:
        raise InputError(
            f"series {name}: the shortest series has {shortest} points; h={h}, "
            f"{n_windows} windows of step {step_size} need at least {needed}"
        )
    models = models or default_models(season_length)
    report = BacktestReport(
        name, freq, season_length, h, n_windows, step_size, df["unique_id"].nunique()
    )
    histories = {uid: g.sort_values("ds") for uid, g in df.groupby("unique_id")}
    for n, model in enumerate(models):
        alias = str(model)
        if progress:
            progress(alias, n, len(models))
        t0 = time.perf_counter()
        # A model that cannot fit one short series falls back to Naive rather than sink the run.
        sf = StatsForecast(models=[model], freq=freq, n_jobs=1, fallback_model=Naive())
        cv = sf.cross_validation(df=df, h=h, n_windows=n_windows, step_size=step_size)
        seconds = time.perf_counter() - t0
        cv = cv.reset_index() if "unique_id" not in cv.columns else cv
        report.cutoffs = sorted({pd.Timestamp(c).date().isoformat() for c in cv["cutoff"]})
        scaled: list[float] = []
        for (uid, cutoff), g in cv.groupby(["unique_id", "cutoff"]):
            hist = histories[uid]
            scale = mase_scale(hist.loc[hist["ds"] <= cutoff, "y"].to_numpy(float), season_length)
            if scale > 0:
                scaled.append(float(np.mean(np.abs(g["y"] - g[alias]))) / scale)
        report.models.append(
            ModelBacktest(
                model=alias,
                wape=wape(cv["y"].to_numpy(float), cv[alias].to_numpy(float)),
                mase=float(np.mean(scaled)) if scaled else float("nan"),
                seconds=seconds,
            )
        )
        log.info(
            "%s %s: WAPE %.4f MASE %.3f (%.1f s)",
            name,
            alias,
            report.models[-1].wape,
            report.models[-1].mase,
            seconds,
        )
    if progress:
        progress("done", len(models), len(models))
    return report
