"""Atelier scheduler."""
