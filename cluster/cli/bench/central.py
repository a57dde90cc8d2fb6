"""`atelier bench central [--json]`: recommendation metrics vs popularity, forecast WAPE/MASE vs
seasonal naive, design-search time, and the fit times, on the shipped real data."""

from __future__ import annotations

import json
import os
import platform
import time

import typer


def _machine() -> str:
    return f"{os.cpu_count()} cores, {platform.machine()}, python {platform.python_version()}"


def _bench(attribute_arima: bool, progress) -> dict:
    from cluster.central.jobs import cost_model_for
    from design_bridge.demand.evaluate import evaluate
    from design_bridge.demand.outlook import demand_outlook
    from design_bridge.demand.proxy import orders_from_transactions
    from design_bridge.demand.recommenders import ModelSettings
    from design_bridge.demand.retail import load_transactions, time_split
    from design_bridge.generation.scoring import demand_view
    from design_bridge.generation.search import SearchSettings, search_designs
    from design_bridge.trends.backtest import backtest, default_models
    from design_bridge.trends.palette import trend_palette
    from design_bridge.trends.series import attribute_series, load_clothing_sales

    progress("recommendation: loading and splitting UCI Online Retail")
    transactions = load_transactions()
    split = time_split(transactions, "2011-10-01")
    report, fitted = evaluate(
        split, 10, ModelSettings(), progress=lambda n, i, t: progress(f"recommendation: {n}")
    )
    best = report.best
    pop = report.score("popularity")
    t0 = time.perf_counter()
    outlook = demand_outlook(split, fitted[best.model], horizon_weeks=8)
    outlook_s = time.perf_counter() - t0

    progress("forecast: US clothing stores, 12-month rolling-origin backtest")
    clothing = backtest(
        load_clothing_sales(),
        name="us_clothing_stores",
        freq="MS",
        season_length=12,
        h=3,
        n_windows=10,
        progress=lambda n, i, t: progress(f"forecast: clothing {n}"),
    )
    progress("forecast: weekly attribute series")
    series = attribute_series(orders_from_transactions(transactions))
    models = default_models(1, intermittent=True)
    if not attribute_arima:
        models = [m for m in models if str(m) != "AutoARIMA"]
    attributes = backtest(
        series,
        name="store_attributes_weekly",
        freq="7D",
        season_length=1,
        h=4,
        n_windows=6,
        step_size=2,
        models=models,
        progress=lambda n, i, t: progress(f"forecast: attributes {n}"),
    )
    palette = trend_palette(series)

    progress("design search")
    costs, cost_name = cost_model_for("auto")
    search = search_designs(demand_view(outlook.lines, palette), costs, settings=SearchSettings())
    return {
        "recommendation": {
            "k": 10,
            "split_time": report.split_time,
            "model": best.model,
            "model_ndcg_at_10": best.ndcg_at_k,
            "popularity_ndcg_at_10": pop.ndcg_at_k,
            "ndcg_ratio": best.ndcg_at_k / pop.ndcg_at_k if pop.ndcg_at_k else None,
            "models": report.to_dict()["scores"],
            "outlook_seconds": outlook_s,
            "outlook_lines": len(outlook.lines),
            "outlook_wape": sum(abs(line.expected - line.observed) for line in outlook.lines)
            / sum(line.observed for line in outlook.lines),
            "outlook_observed_inside_interval": sum(
                line.low <= line.observed <= line.high for line in outlook.lines
            )
            / len(outlook.lines),
        },
        "forecast": {
            "best_model": clothing.best.model,
            "best_wape": clothing.best.wape,
            "seasonal_naive_wape": clothing.model("SeasonalNaive").wape,
            "best_mase": clothing.best.mase,
            "seasonal_naive_mase": clothing.model("SeasonalNaive").mase,
            "cutoffs": clothing.cutoffs,
            "models": clothing.to_dict()["models"],
            "attributes": attributes.to_dict(),
        },
        "design_search": {
            "cost_model": cost_name,
            "seconds": search.seconds,
            "designs_scored": search.evaluated,
            "generations": search.generations,
            "best_score": max(p.breakdown.base for p in search.proposals),
        },
        "targets": {
            "ndcg_at_least_2x_popularity": best.ndcg_at_k >= 2 * pop.ndcg_at_k,
            "wape_below_seasonal_naive": clothing.best.wape < clothing.model("SeasonalNaive").wape,
        },
        "machine": _machine(),
    }


def _print_tables(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    rec = Table(title=f"Recommendation, time split {result['recommendation']['split_time'][:10]}")
    for col in ("model", "P@10", "R@10", "NDCG@10", "coverage", "fit s"):
        rec.add_column(col)
    for s in result["recommendation"]["models"]:
        rec.add_row(
            s["model"],
            f"{s['precision_at_k']:.4f}",
            f"{s['recall_at_k']:.4f}",
            f"{s['ndcg_at_k']:.4f}",
            f"{s['coverage_at_k']:.3f}",
            f"{s['fit_seconds']:.2f}",
        )
    console.print(rec)
    for title, models in (
        ("US clothing stores, 12-month rolling origin (h=3)", result["forecast"]["models"]),
        ("Weekly attribute series (h=4)", result["forecast"]["attributes"]["models"]),
    ):
        table = Table(title=title)
        for col in ("model", "WAPE", "MASE", "fit+forecast s"):
            table.add_column(col)
        for m in models:
            table.add_row(
                m["model"], f"{100 * m['wape']:.2f} %", f"{m['mase']:.3f}", f"{m['seconds']:.1f}"
            )
        console.print(table)
    r = result["recommendation"]
    console.print(
        f"demand outlook ({r['outlook_lines']} attribute values, 8 weeks): observed test count "
        f"inside the 80 % interval for {100 * r['outlook_observed_inside_interval']:.0f} %, "
        f"WAPE of expected vs observed {100 * r['outlook_wape']:.1f} %"
    )
    d = result["design_search"]
    console.print(
        f"design search ({d['cost_model']} costs): {d['designs_scored']} designs scored "
        f"in {d['seconds']:.2f} s over {d['generations']} generations"
    )
    console.print(f"targets: {result['targets']}")


def register(bench: typer.Typer) -> None:
    @bench.command("central")
    def central(
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object"),
        attribute_arima: bool = typer.Option(
            False, "--attribute-arima", help="Add AutoARIMA to the attribute backtest (slow)"
        ),
    ) -> None:
        """Recommendation vs popularity, forecasts vs seasonal naive, design-search time."""
        from rich.console import Console

        console = Console(stderr=True)
        with console.status("bench central") as status:
            result = _bench(attribute_arima, lambda msg: status.update(msg))
        if as_json:
            typer.echo(json.dumps(result, indent=2))
        else:
            _print_tables(result)
