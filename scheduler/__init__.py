"""Atelier scheduler: cut order planning, marker making, the sewing schedule and replanning.

A library: dataclasses in (scheduler.model), dataclasses out; see README.md.
"""

from scheduler.plan import Plan, PlanKPIs, plan_production, write_plan_files

__all__ = ["Plan", "PlanKPIs", "plan_production", "write_plan_files"]
