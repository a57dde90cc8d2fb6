"""Alarms: limits, rate of change, SPC and machine faults; ISA-18.2 states; flood limiting."""
