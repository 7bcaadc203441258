"""The rules a municipality sets for its culture bus, with the defaults it starts from."""

from dataclasses import dataclass, field
from datetime import time, timedelta

from transport.domain.places import Place
from transport.domain.travel import StraightLineTravel

SCHOOL_DAYS = frozenset(range(5))  # Monday to Friday


@dataclass(frozen=True, slots=True)
class Bus:
    name: str
    seats: int
    wheelchair_places: int = 0
    depot: Place | None = None


@dataclass(frozen=True, slots=True)
class BusRules:
    fleet: tuple[Bus, ...] = ()
    operating_days: frozenset[int] = field(default=SCHOOL_DAYS)
    opens: time = time(8, 0)  # the buses leave their depots no earlier ...
    closes: time = time(15, 30)  # ... and are back by then
    earliest_pickup: time = time(8, 0)
    latest_dropoff: time = time(15, 30)
    min_distance_m: int = 3000  # nearer schools walk or take the regular bus
    booking_lead_days: int = 14
    arrive_before_min: int = 15
    leave_after_min: int = 10
    max_ride_min: int = 60
    stop_min: int = 5  # boarding or alighting a class
    frozen_days: int = 3
    announced_tolerance_min: int = 10  # an announced pick-up moves no more without a notice
    one_trip_per_school_year: bool = False  # else a group may have the bus as often as it books
    road_factor: float = 1.3
    speed_kmh: float = 40.0

    def travel(self) -> StraightLineTravel:
        return StraightLineTravel(self.road_factor, self.speed_kmh)

    @property
    def max_ride(self) -> timedelta:
        return timedelta(minutes=self.max_ride_min)

    @property
    def tolerance(self) -> timedelta:
        return timedelta(minutes=self.announced_tolerance_min)
