"""Atelier edge_agents."""
