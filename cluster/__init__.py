"""Atelier cluster."""
