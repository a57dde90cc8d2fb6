"""Settings of the central jobs (one pydantic model each, with defaults for the demo plant)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from design_bridge.generation.scoring import PricingSettings
from design_bridge.generation.search import SearchSettings


class DemandSettings(BaseModel):
    """Recommendation evaluation and the demand outlook."""

    transactions: Path | None = Field(
        None, description="Interaction CSV (UCI Online Retail layout); None = the shipped copy"
    )
    split_time: str = Field("2011-10-01", description="Time split: train before, test on/after")
    max_customers: int | None = Field(
        None, ge=50, description="Random subset of customers for quick runs; None = all"
    )
    k: int = Field(10, ge=1, description="Cut-off of the ranking metrics")
    horizon_weeks: int = Field(8, ge=1, description="Weeks ahead the demand outlook covers")
    rate_weeks: int = Field(
        12, ge=1, description="Last training weeks the customers' purchase rates come from"
    )
    interval: float = Field(0.8, gt=0, lt=1, description="Coverage of the outlook's intervals")
    factors: int = Field(64, ge=2, description="Latent factors of ALS and BPR")
    als_iterations: int = Field(15, ge=1, description="ALS sweeps")
    bpr_iterations: int = Field(100, ge=1, description="BPR epochs")
    seed: int = Field(0, description="Seed for subsampling and model initialisation")


class TrendSettings(BaseModel):
    """Backtests on the clothing-store series and on weekly attribute series."""

    clothing_start: str | None = Field(None, description="Drop clothing months before this date")
    clothing_h: int = Field(3, ge=1, description="Months each clothing forecast looks ahead")
    clothing_windows: int = Field(
        10, ge=1, description="Monthly origins; with h=3, 10 origins cover the last 12 months"
    )
    clothing_arima: bool = Field(
        True, description="Include AutoARIMA in the clothing backtest (about two minutes)"
    )
    attribute_h: int = Field(4, ge=1, description="Weeks each attribute forecast looks ahead")
    attribute_windows: int = Field(6, ge=1, description="Origins of the attribute backtest")
    attribute_step: int = Field(2, ge=1, description="Weeks between attribute origins")
    attribute_arima: bool = Field(
        True, description="Include AutoARIMA on the attribute series (the slowest model)"
    )
    max_customers: int | None = Field(
        None, ge=50, description="Customer subset for the attribute series; None = all"
    )
    palette_size: int = Field(5, ge=1, description="Colours in the trend palette")
    palette_h: int = Field(8, ge=1, description="Weeks ahead the palette looks")


class DesignSettings(BaseModel):
    """Design search; costs from drafting when the design bridge can draft, else the table."""

    cost_model: str = Field(
        "auto", pattern="^(auto|drafting|table)$", description="auto, drafting or table"
    )
    search: SearchSettings = Field(default_factory=SearchSettings, description="Genetic search")
    pricing: PricingSettings = Field(default_factory=PricingSettings, description="Money terms")
    swatch_px: int = Field(256, ge=16, le=2048, description="Side of each swatch image in pixels")


class CentralSettings(BaseModel):
    demand: DemandSettings = Field(default_factory=DemandSettings, description="Demand job")
    trends: TrendSettings = Field(default_factory=TrendSettings, description="Trends job")
    designs: DesignSettings = Field(default_factory=DesignSettings, description="Designs job")
