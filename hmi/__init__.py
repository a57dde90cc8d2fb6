"""Atelier hmi."""
