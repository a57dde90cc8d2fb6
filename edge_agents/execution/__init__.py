"""Plan execution on the line: per-station queues from the published plan, kept on disk."""
