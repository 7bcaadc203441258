"""The statistics service's HTTP API."""

from stats.api import open_data, reach, results, statistics, units

ROUTERS = [units.router, statistics.router, reach.router, results.router, open_data.router]
