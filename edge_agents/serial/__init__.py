"""Serial devices: bundle-ticket scanners and HPGL plotters/cutters over pyserial."""
