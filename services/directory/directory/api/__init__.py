"""The directory's HTTP API: municipalities, their units, groups and teachers, imports, and
teachers' own preferences."""

from directory.api import imports, listings, municipalities, my_data, preferences

ROUTERS = (
    municipalities.router,
    listings.router,
    imports.router,
    preferences.router,
    my_data.router,
)
