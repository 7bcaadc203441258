"""The catalog's HTTP API: organizers, their events and occurrences, and finding events."""

from catalog.api import events, finding, organizers

ROUTERS = (organizers.router, events.router, finding.router)
