"""Recommendation-driven demand: who will buy what next, summed into garments per attribute."""
