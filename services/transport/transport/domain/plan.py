"""A day's plan: every bus's stops in order, and the classes no bus could take, with why."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from transport.domain.eligibility import Reason
from transport.domain.places import Place
from transport.domain.rules import Bus


class Leg(StrEnum):
    THERE = "there"  # school to venue
    BACK = "back"  # venue to school


class StopKind(StrEnum):
    PICK_UP = "pick_up"
    DROP_OFF = "drop_off"


@dataclass(frozen=True, slots=True)
class Stop:
    booking_id: UUID
    leg: Leg
    kind: StopKind
    place: Place
    at: datetime  # when the class boards or alights
    travellers: int
    wheelchair_places: int


@dataclass(frozen=True, slots=True)
class BusRun:
    """One bus's day: from its depot, through its stops, back."""

    bus: Bus
    depot: Place  # where it leaves from
    home: Place  # where it ends its day
    leaves_depot: datetime
    back_at_depot: datetime
    stops: tuple[Stop, ...]
    metres: int

    def load(self) -> list[tuple[int, int]]:
        """Travellers and wheelchair places on board after each stop."""
        seats = wheelchairs = 0
        loads = []
        for stop in self.stops:
            sign = 1 if stop.kind is StopKind.PICK_UP else -1
            seats += sign * stop.travellers
            wheelchairs += sign * stop.wheelchair_places
            loads.append((seats, wheelchairs))
        return loads


@dataclass(frozen=True, slots=True)
class BusTrip:
    """A class's trip as its teacher is told it."""

    bus: str
    pickup_place: Place
    pickup_at: datetime
    return_bus: str
    return_at: datetime  # the bus leaves the venue
    home_at: datetime


@dataclass(frozen=True, slots=True)
class DayPlan:
    runs: tuple[BusRun, ...]
    unserved: Mapping[UUID, Reason] = field(default_factory=dict)

    @property
    def metres(self) -> int:
        return sum(run.metres for run in self.runs)

    def served(self) -> set[UUID]:
        return {stop.booking_id for run in self.runs for stop in run.stops}

    def trip(self, booking_id: UUID) -> BusTrip | None:
        stops = {
            (stop.leg, stop.kind): (run.bus.name, stop)
            for run in self.runs
            for stop in run.stops
            if stop.booking_id == booking_id
        }
        if len(stops) != 4:
            return None
        bus, pickup = stops[Leg.THERE, StopKind.PICK_UP]
        return_bus, leaves = stops[Leg.BACK, StopKind.PICK_UP]
        return BusTrip(
            bus=bus,
            pickup_place=pickup.place,
            pickup_at=pickup.at,
            return_bus=return_bus,
            return_at=leaves.at,
            home_at=stops[Leg.BACK, StopKind.DROP_OFF][1].at,
        )
