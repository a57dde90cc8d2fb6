"""Atelier inspection."""
