"""The directory's HTTP API: municipalities, their units, groups and teachers, and imports."""

from directory.api import imports, listings, municipalities

ROUTERS = (municipalities.router, listings.router, imports.router)
