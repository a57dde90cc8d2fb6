"""Trend forecasting: statsforecast models with rolling-origin backtests."""
