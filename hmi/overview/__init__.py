"""The overview's reads: the alarm journal, sensor trends and OEE per station from telemetry."""
