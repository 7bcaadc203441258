"""Where things are: schools, venues and depots as points on the earth."""

from dataclasses import dataclass
from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_M = 6_371_000


@dataclass(frozen=True, slots=True)
class Place:
    latitude: float
    longitude: float


def straight_line_m(a: Place, b: Place) -> float:
    """The great-circle (haversine) distance in metres."""
    lat_a, lat_b = radians(a.latitude), radians(b.latitude)
    d_lat, d_lon = lat_b - lat_a, radians(b.longitude - a.longitude)
    h = sin(d_lat / 2) ** 2 + cos(lat_a) * cos(lat_b) * sin(d_lon / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(sqrt(h))
