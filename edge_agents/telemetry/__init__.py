"""Telemetry: raw ring, 1 s aggregates, OEE per station and shift."""
