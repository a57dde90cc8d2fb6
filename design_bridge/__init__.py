"""Atelier design_bridge."""
