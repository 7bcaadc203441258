"""The directory's HTTP API: municipalities, their units, groups and teachers, imports, and
teachers' own preferences."""

from directory.api import imports, listings, municipalities, preferences

ROUTERS = (municipalities.router, listings.router, imports.router, preferences.router)
