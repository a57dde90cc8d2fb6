"""The trend palette: colours whose forecast demand is largest and rising."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import pandas as pd

from core.errors import InputError
from design_bridge.generation.options import COLOURS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrendColour:
    """A colour's forecast share of next weeks' garments and its growth over the recent weeks."""

    name: str
    rgb: tuple[int, int, int]
    forecast_share: float
    growth: float

    def to_dict(self) -> dict:
        return asdict(self)


def forecast_attributes(series: pd.DataFrame, h: int, model: object | None = None) -> pd.DataFrame:
    """Forecast every attribute series h weeks ahead (AutoETS unless another model is given)."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, Naive

    model = model or AutoETS(season_length=1)
    sf = StatsForecast(models=[model], freq="7D", n_jobs=1, fallback_model=Naive())
    out = sf.forecast(df=series, h=h)
    out = out.reset_index() if "unique_id" not in out.columns else out
    return out.rename(columns={str(model): "forecast"})[["unique_id", "ds", "forecast"]]


def trend_palette(series: pd.DataFrame, h: int = 8, size: int = 5) -> list[TrendColour]:
    """The `size` colours with most forecast share over h weeks; growth = forecast / recent."""
    colours = series[series["unique_id"].str.startswith("colour=")]
    colours = colours[colours["unique_id"].str.removeprefix("colour=").isin(COLOURS)]
    if colours.empty:
        raise InputError("no colour series among the attribute series; cannot build a palette")
    forecast = forecast_attributes(colours, h)
    ahead = forecast.groupby("unique_id")["forecast"].sum().clip(lower=0)
    recent = colours.sort_values("ds").groupby("unique_id").tail(h).groupby("unique_id")["y"].sum()
    total = float(ahead.sum()) or 1.0
    palette = [
        TrendColour(
            name=uid.removeprefix("colour="),
            rgb=COLOURS[uid.removeprefix("colour=")],
            forecast_share=float(ahead[uid]) / total,
            growth=float(ahead[uid]) / float(recent[uid]) if recent.get(uid, 0) > 0 else 1.0,
        )
        for uid in ahead.index
    ]
    palette.sort(key=lambda c: c.forecast_share * min(c.growth, 3.0), reverse=True)
    log.info("trend palette: %s", ", ".join(c.name for c in palette[:size]))
    return palette[:size]
