import numpy as np
import pandas as pd
import pytest

from core.errors import InputError
from design_bridge.trends.backtest import backtest, mase_scale, wape
from design_bridge.trends.palette import trend_palette
from design_bridge.trends.series import attribute_series, load_clothing_sales


def _seasonal(n=84, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 100 + 0.2 * t + 25 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1.5, n)
    return pd.DataFrame(
        {"unique_id": "synthetic", "ds": pd.date_range("2015-01-01", periods=n, freq="MS"), "y": y}
    )


def test_wape_and_mase_scale_by_hand():
    assert wape(np.array([10.0, 20.0]), np.array([12.0, 15.0])) == pytest.approx(7 / 30)
    # Seasonal differences at lag 2 of [1, 2, 4, 8]: |4-1|, |8-2| -> mean 4.5.
    assert mase_scale(np.array([1.0, 2.0, 4.0, 8.0]), season_length=2) == pytest.approx(4.5)
    # Too short for two seasons: lag 1.
    assert mase_scale(np.array([1.0, 3.0, 6.0]), season_length=12) == pytest.approx(2.5)
    with pytest.raises(InputError, match="zero"):
        wape(np.zeros(3), np.ones(3))


def test_seasonal_models_recover_known_seasonality():
    from statsforecast.models import AutoETS, Naive, SeasonalNaive

    report = backtest(
        _seasonal(),
        name="synthetic",
        freq="MS",
        season_length=12,
        h=6,
        n_windows=4,
        step_size=2,
        models=[Naive(), SeasonalNaive(season_length=12), AutoETS(season_length=12)],
    )
    naive, seasonal, ets = (report.model(m) for m in ("Naive", "SeasonalNaive", "AutoETS"))
    assert len(report.cutoffs) == 4
    # A model that knows the 12-month cycle beats one that does not, by a wide margin.
    assert seasonal.wape < naive.wape / 2
    assert ets.wape < naive.wape / 2
    assert ets.mase < 1.0 < naive.mase


def test_intermittent_models_estimate_the_demand_rate():
    from statsforecast import StatsForecast
    from statsforecast.models import TSB, CrostonClassic

    rng = np.random.default_rng(3)
    # Demand in 30 % of weeks, 1-3 garments when it comes: mean rate 0.6 per week.
    y = (rng.random(300) < 0.3) * rng.integers(1, 4, 300).astype(float)
    df = pd.DataFrame(
        {"unique_id": "sparse", "ds": pd.date_range("2015-01-05", periods=300, freq="7D"), "y": y}
    )
    models = [CrostonClassic(), TSB(alpha_d=0.1, alpha_p=0.1)]
    forecast = StatsForecast(models=models, freq="7D").forecast(df=df, h=4)
    for name in ("CrostonClassic", "TSB"):
        assert forecast[name].iloc[0] == pytest.approx(0.6, rel=0.35), name
    report = backtest(
        df, name="sparse", freq="7D", season_length=1, h=4, n_windows=5, step_size=2, models=models
    )
    assert all(np.isfinite(m.wape) and np.isfinite(m.mase) for m in report.models)


def test_backtest_rejects_too_short_series():
    with pytest.raises(InputError, match="need at least"):
        backtest(_seasonal(20), name="short", freq="MS", season_length=12, h=12, n_windows=3)


def test_attribute_series_counts_by_week():
    orders = pd.DataFrame(
        {
            "date": ["2024-01-01", "2024-01-02", "2024-01-09", "2024-01-22", "2024-01-24"],
            "style": ["shirt", "skirt", "shirt", "shirt", "shirt"],
            "colour": ["red", "red", "navy", "red", "red"],
            "options": [{"fit": "slim"}, {"fit": "slim"}, {}, {"fit": "regular"}, {}],
            "quantity": [2, 1, 1, 3, 1],
        }
    )
    series = attribute_series(orders)
    red = series[series["unique_id"] == "colour=red"].set_index("ds")["y"]
    # Weeks start Monday 1, 8, 15 January; the data stop on Wednesday 24th, mid-week, so that
    # last, incomplete week is left out rather than read as a collapse.
    assert list(red.index.strftime("%m-%d")) == ["01-01", "01-08", "01-15"]
    assert list(red) == [3.0, 0.0, 0.0]
    assert series[series["unique_id"] == "fit=slim"]["y"].sum() == 3.0


def test_attribute_series_bad_input():
    with pytest.raises(InputError, match="date and quantity"):
        attribute_series(pd.DataFrame({"style": ["shirt"]}))
    with pytest.raises(InputError, match="row 1: unreadable date"):
        attribute_series(pd.DataFrame({"date": ["2024-01-01", "soon"], "quantity": [1, 1]}))


def test_palette_prefers_the_rising_colour():
    weeks = pd.date_range("2024-01-01", periods=30, freq="7D")
    rising = pd.DataFrame({"unique_id": "colour=green", "ds": weeks, "y": np.linspace(1, 40, 30)})
    falling = pd.DataFrame({"unique_id": "colour=grey", "ds": weeks, "y": np.linspace(40, 1, 30)})
    palette = trend_palette(pd.concat([rising, falling]), h=4, size=2)
    assert palette[0].name == "green" and palette[0].growth > 1 > palette[1].growth


def test_clothing_series_loads_and_bad_file_is_named(tmp_path):
    df = load_clothing_sales(start="2019-01-01")
    assert df["ds"].min() == pd.Timestamp("2019-01-01") and (df["y"] > 0).all()
    bad = tmp_path / "sales.csv"
    bad.write_text("DATE,X\n2020-01-01,5\n2020-02-01,n/a\n")
    with pytest.raises(InputError, match=r"sales.csv: unreadable date or value on row\(s\) 3"):
        load_clothing_sales(bad)
