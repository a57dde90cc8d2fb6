"""Camera pipeline: sources, gating, tiling, bounded queue, watchdog, statistics, events."""
