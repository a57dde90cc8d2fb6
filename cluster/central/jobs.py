"""The three central jobs as plain functions: settings in, JSON-serialisable results out.

They know nothing of Ray; `cluster.central.remote` places them on the central role.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from cluster.central.settings import DemandSettings, DesignSettings, TrendSettings
from design_bridge.demand.outlook import DemandLine

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


def _note(progress: Progress | None, message: str) -> None:
    log.info(message)
    if progress:
        progress(message)


@dataclass
class DemandResult:
    """Recommendation metrics next to popularity, and the demand outlook of the best model."""

    evaluation: dict
    outlook: dict
    seconds: float
    used_gpu: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrendsResult:
    """Backtests (clothing series, attribute series), the clothing forecast and the palette."""

    clothing: dict
    attributes: dict
    clothing_history: list[dict]
    clothing_forecast: list[dict]
    palette: list[dict]
    attribute_history: list[dict]
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class DesignsResult:
    """Proposals with score breakdowns; `cost_model` says where SMV and fabric area came from."""

    proposals: list[dict]
    cost_model: str
    evaluated: int
    search_seconds: float
    best_by_generation: list[float] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _transactions(path, max_customers, seed):
    from design_bridge.demand.retail import (
        DEFAULT_TRANSACTIONS,
        load_transactions,
        subsample_customers,
    )

    df = load_transactions(path or DEFAULT_TRANSACTIONS)
    return subsample_customers(df, max_customers, seed) if max_customers else df


def run_demand(
    settings: DemandSettings, use_gpu: bool = False, progress: Progress | None = None
) -> DemandResult:
    from design_bridge.demand.evaluate import evaluate
    from design_bridge.demand.outlook import demand_outlook
    from design_bridge.demand.recommenders import ModelSettings, gpu_available
    from design_bridge.demand.retail import time_split

    t0 = time.perf_counter()
    _note(progress, "demand: loading transactions")
    split = time_split(
        _transactions(settings.transactions, settings.max_customers, settings.seed),
        settings.split_time,
    )
    models = ModelSettings(
        factors=settings.factors,
        als_iterations=settings.als_iterations,
        bpr_iterations=settings.bpr_iterations,
        seed=settings.seed,
    )
    report, fitted = evaluate(
        split,
        settings.k,
        models,
        use_gpu=use_gpu,
        progress=lambda name, n, total: (
            _note(progress, f"demand: model {n + 1}/{total} {name}") if n < total else None
        ),
    )
    _note(progress, f"demand: outlook from {report.best.model}")
    outlook = demand_outlook(
        split,
        fitted[report.best.model],
        settings.horizon_weeks,
        settings.interval,
        rate_weeks=settings.rate_weeks,
    )
    return DemandResult(
        report.to_dict(), outlook.to_dict(), time.perf_counter() - t0, use_gpu and gpu_available()
    )


def run_trends(settings: TrendSettings, progress: Progress | None = None) -> TrendsResult:
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    from design_bridge.demand.proxy import orders_from_transactions
    from design_bridge.trends.backtest import backtest, default_models
    from design_bridge.trends.palette import trend_palette
    from design_bridge.trends.series import attribute_series, load_clothing_sales

    t0 = time.perf_counter()
    clothing = load_clothing_sales(start=settings.clothing_start)
    _note(progress, "trends: clothing-store backtest")
    clothing_report = backtest(
        clothing,
        name="us_clothing_stores",
        freq="MS",
        season_length=12,
        h=settings.clothing_h,
        n_windows=settings.clothing_windows,
        models=_models(default_models(12), settings.clothing_arima),
        progress=lambda name, n, total: _note(progress, f"trends: clothing {name}"),
    )
    _note(progress, "trends: attribute series from orders")
    orders = orders_from_transactions(_transactions(None, settings.max_customers, 0))
    series = attribute_series(orders)
    models = _models(default_models(1, intermittent=True), settings.attribute_arima)
    attribute_report = backtest(
        series,
        name="store_attributes_weekly",
        freq="7D",
        season_length=1,
        h=settings.attribute_h,
        n_windows=settings.attribute_windows,
        step_size=settings.attribute_step,
        models=models,
        progress=lambda name, n, total: _note(progress, f"trends: attributes {name}"),
    )
    _note(progress, "trends: clothing forecast and palette")
    sf = StatsForecast(models=[AutoETS(season_length=12)], freq="MS", n_jobs=1)
    forecast = sf.forecast(df=clothing, h=12, level=[80])
    forecast = forecast.reset_index() if "ds" not in forecast.columns else forecast
    palette = trend_palette(series, settings.palette_h, settings.palette_size)
    return TrendsResult(
        clothing=clothing_report.to_dict(),
        attributes=attribute_report.to_dict(),
        clothing_history=[
            {"ds": d.date().isoformat(), "y": float(y)}
            for d, y in zip(clothing["ds"], clothing["y"], strict=True)
        ],
        clothing_forecast=[
            {
                "ds": pd.Timestamp(r["ds"]).date().isoformat(),
                "forecast": float(r["AutoETS"]),
                "low": float(r["AutoETS-lo-80"]),
                "high": float(r["AutoETS-hi-80"]),
            }
            for r in forecast.to_dict("records")
        ],
        palette=[c.to_dict() for c in palette],
        attribute_history=_history(series, [f"colour={c.name}" for c in palette]),
        seconds=time.perf_counter() - t0,
    )


def _models(models: list, arima: bool) -> list:
    return models if arima else [m for m in models if str(m) != "AutoARIMA"]


def _history(series, ids: list[str]) -> list[dict]:
    """Weekly counts of the palette colours and of every style, for the planner's trend chart."""
    keep = series[series["unique_id"].isin(ids) | series["unique_id"].str.startswith("style=")]
    return [
        {"series": uid, "ds": ds.date().isoformat(), "y": float(y)}
        for uid, ds, y in zip(keep["unique_id"], keep["ds"], keep["y"], strict=True)
    ]


def cost_model_for(choice: str):
    """The drafting cost model when the design bridge drafts (or is asked for), else the table."""
    from design_bridge.generation.costs import DraftingCostModel, TableCostModel

    if choice == "table":
        return TableCostModel(), "table"
    try:
        from design_bridge import draft_order  # noqa: F401
    except ImportError as exc:
        if choice == "drafting":
            from core.errors import ConfigError

            raise ConfigError(
                "cost model 'drafting' asked for, but design_bridge cannot draft"
            ) from exc
        log.info("design_bridge.draft_order not available; pricing designs from the cost table")
        return TableCostModel(), "table"
    return DraftingCostModel(), "drafting"


def run_designs(
    settings: DesignSettings,
    outlook_lines: list[dict],
    palette: list[dict],
    progress: Progress | None = None,
) -> DesignsResult:
    from design_bridge.generation.scoring import demand_view
    from design_bridge.generation.search import search_designs
    from design_bridge.trends.palette import TrendColour

    lines = [DemandLine(**line) for line in outlook_lines]
    colours = [TrendColour(**{**c, "rgb": tuple(c["rgb"])}) for c in palette]
    costs, name = cost_model_for(settings.cost_model)
    _note(progress, f"designs: searching ({name} costs)")
    result = search_designs(
        demand_view(lines, colours),
        costs,
        settings.pricing,
        settings.search,
        progress=lambda g, total, best: (
            _note(progress, f"designs: generation {g}/{total}") if g % 20 == 0 else None
        ),
    )
    return DesignsResult(
        proposals=[p.to_dict() for p in result.proposals],
        cost_model=name,
        evaluated=result.evaluated,
        search_seconds=result.seconds,
        best_by_generation=result.best_by_generation,
    )
