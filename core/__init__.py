"""Atelier core."""
