"""The statistics service's HTTP API."""

from stats.api import open_data, results, statistics, units

ROUTERS = [units.router, statistics.router, results.router, open_data.router]
