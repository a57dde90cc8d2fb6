"""Design generation: search the option space for variants worth making, priced by the floor."""
