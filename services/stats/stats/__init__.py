"""Participation, reach and equity per school, district and grade."""
