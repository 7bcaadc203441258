"""Road distances and driving times between places, behind one interface.

The default estimates them from the straight line; where a road network has measured them (an
OSRM server's `table` API, asked outside the domain), its matrix takes their place without the
planning noticing."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from transport.domain.places import Place, straight_line_m


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """Metres and seconds from each place to each other, in the order the places were given."""

    metres: list[list[int]]
    seconds: list[list[int]]


class Travel(Protocol):
    def matrix(self, places: Sequence[Place]) -> TravelMatrix: ...


@dataclass(frozen=True, slots=True)
class StraightLineTravel:
    """The straight line times a road factor (roads wind), driven at an average speed."""

    road_factor: float = 1.3
    speed_kmh: float = 40.0

    def metres(self, a: Place, b: Place) -> int:
        return round(straight_line_m(a, b) * self.road_factor)

    def matrix(self, places: Sequence[Place]) -> TravelMatrix:
        metres = [[self.metres(a, b) for b in places] for a in places]
        per_second = self.speed_kmh * 1000 / 3600
        return TravelMatrix(metres, [[round(m / per_second) for m in row] for row in metres])


@dataclass(frozen=True, slots=True)
class MeasuredTravel:
    """Distances and times measured beforehand between some places (by a road network); any
    other place is estimated from the straight line."""

    places: tuple[Place, ...]
    measured: TravelMatrix
    estimate: StraightLineTravel

    def matrix(self, places: Sequence[Place]) -> TravelMatrix:
        where = {place: i for i, place in enumerate(self.places)}
        known = [where.get(place) for place in places]
        guessed = None if all(i is not None for i in known) else self.estimate.matrix(places)
        metres: list[list[int]] = []
        seconds: list[list[int]] = []
        for a, i in enumerate(known):
            metres.append([])
            seconds.append([])
            for b, j in enumerate(known):
                if i is not None and j is not None:
                    metres[a].append(self.measured.metres[i][j])
                    seconds[a].append(self.measured.seconds[i][j])
                else:
                    assert guessed is not None
                    metres[a].append(guessed.metres[a][b])
                    seconds[a].append(guessed.seconds[a][b])
        return TravelMatrix(metres, seconds)
