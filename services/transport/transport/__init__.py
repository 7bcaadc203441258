"""Schedules the culture bus and shares it between schools."""
