"""Organizers publish events with occurrences for target groups."""
