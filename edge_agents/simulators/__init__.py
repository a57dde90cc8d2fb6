"""Device simulators (OPC-UA machines, scanner, plotter) for demos, commissioning and tests."""
