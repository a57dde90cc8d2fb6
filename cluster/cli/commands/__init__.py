"""Command groups of the `atelier` CLI, one module each (see `cluster.cli.main`)."""
