"""The quality team's data: the defect review queue, Pareto, p-chart and model promotion."""
