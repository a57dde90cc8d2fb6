"""`atelier bench ...` subcommands, one module per package (see `cluster.cli.main`)."""
