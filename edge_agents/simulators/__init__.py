"""Device simulators (OPC-UA machines, bundle scanner, plotter) for demos, commissioning and tests."""
