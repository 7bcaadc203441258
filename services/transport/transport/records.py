"""What transport keeps: bookings that may want a bus, what each class was told, the
municipality's rules as its administrator sets them, and the places the planning needs."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, Self
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field, field_validator, model_validator

from kulturbro_contracts import limits
from kulturbro_contracts.directory import Bus as FleetBus
from kulturbro_contracts.transport import BusTrip, NoBusReason, RunSheet
from transport.domain import Bus, BusRules, Place
from transport.fixes import Fix
from transport.plans import PlacementPublic

MAX_BUS_NAME = 200
MAX_FLEET = 500  # buses with a depot of their own: more than any municipality runs


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Told(BaseModel):
    """What the class was last told: its trip, or why it has none."""

    trip: BusTrip | None = None
    reason: NoBusReason | None = None
    what_to_fix: str | None = None  # for the administrator, beside the reason
    fixes: list[Fix] = []  # the same as codes; none in what was told before they were kept


@dataclass
class BusBooking:
    booking_id: UUID
    municipality_id: str
    event_id: UUID
    unit_id: UUID
    teacher_id: UUID
    pupils: int
    adults: int
    wheelchair_places: int
    wants_bus: bool
    requested_at: datetime
    status: BookingStatus = BookingStatus.REQUESTED
    occurrence_id: UUID | None = None
    day: date | None = None
    told: Told | None = None
    group_id: UUID | None = None  # None for bookings heard of before transport kept it


@dataclass(frozen=True)
class Placement:
    """A class the administrator put on a bus by hand, both ways, and who did and when."""

    booking_id: UUID
    municipality_id: str
    day: date
    bus: str
    moved_by: str
    moved_at: datetime

    def public(self) -> PlacementPublic:
        return PlacementPublic(
            booking_id=self.booking_id, bus=self.bus, moved_by=self.moved_by, moved_at=self.moved_at
        )


@dataclass(frozen=True)
class IssuedSheet:
    sheet: RunSheet
    issued_at: datetime


@dataclass(frozen=True)
class School:
    name: str
    address: str | None
    place: Place | None


@dataclass(frozen=True)
class OccurrenceAt:
    occurrence_id: UUID
    event_id: UUID
    starts_at: datetime
    ends_at: datetime
    venue_name: str
    venue: Place | None
    cancelled: bool
    venue_address: str | None = None


class BusDepot(BaseModel):
    """Where one bus of the fleet starts and ends its day; the bus is named as the directory's
    fleet names it."""

    bus: str = Field(min_length=1, max_length=MAX_BUS_NAME)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)

    @model_validator(mode="before")
    @classmethod
    def _named(cls, values: Any) -> Any:
        """A wrong coordinate is refused naming its bus, so a long list is easy to correct."""
        if not isinstance(values, dict):
            return values
        bus = values.get("bus")
        for name, bound in (("latitude", 90), ("longitude", 180)):
            value = values.get(name)
            if value is None:
                raise ValueError(f"bus {bus!r}: give its depot's {name}")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"bus {bus!r}: the depot's {name} must be a number, not {value!r}")
            if not -bound <= value <= bound:
                raise ValueError(
                    f"bus {bus!r}: the depot's {name} must be between -{bound} and {bound},"
                    f" not {value}"
                )
        return values

    @property
    def place(self) -> Place:
        return Place(self.latitude, self.longitude)


def _minutes(default: int, lowest: int = 0) -> int:
    return Field(default, ge=lowest, le=limits.MAX_BUS_MINUTES)


class RuleSettings(BaseModel):
    """A municipality's bus rules; every field has the issue's default."""

    depot_latitude: float | None = Field(None, ge=-90, le=90, description="where the buses wait")
    depot_longitude: float | None = Field(None, ge=-180, le=180)
    opens: time = Field(time(8, 0), description="buses leave their depot no earlier")
    closes: time = Field(time(15, 30), description="and are back by then")
    earliest_pickup: time = time(8, 0)
    latest_dropoff: time = time(15, 30)
    min_distance_m: int = Field(
        3000, ge=0, le=limits.MAX_BUS_DISTANCE_M, description="nearer schools get no bus"
    )
    booking_lead_days: int = Field(14, ge=0, le=limits.MAX_BUS_DAYS)
    arrive_before_min: int = _minutes(15)
    leave_after_min: int = _minutes(10)
    max_ride_min: int = _minutes(60, lowest=10)
    frozen_days: int = Field(3, ge=0, le=limits.MAX_BUS_DAYS)
    speed_kmh: int = Field(40, ge=5, le=limits.MAX_BUS_SPEED_KMH)
    operator_email: EmailStr | None = Field(None, description="where the day's run sheet goes")
    run_sheet_at: time = Field(
        time(18, 0), description="the run sheet goes out at this local time, the evening before"
    )
    run_sheet_days_before: int = Field(
        1, ge=1, le=limits.MAX_BUS_DAYS, description="how many days before the buses drive"
    )
    one_trip_per_school_year: bool = Field(
        False, description="a group has the bus at most once a school year (from 1 July)"
    )
    depots: list[BusDepot] = Field(
        [],
        max_length=MAX_FLEET,
        description="a depot of its own for a bus of the fleet; the others use the one above",
    )

    @field_validator("opens", "closes", "earliest_pickup", "latest_dropoff", "run_sheet_at")
    @classmethod
    def _local(cls, value: time) -> time:
        # Bus hours are the municipality's wall clock; a zone here could not be compared.
        if value.tzinfo is not None:
            raise ValueError("give a local time such as 08:00, without a zone")
        return value

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        if self.opens >= self.closes:
            raise ValueError("opens must be before closes, e.g. 08:00 and 15:30")
        if self.earliest_pickup >= self.latest_dropoff:
            raise ValueError("earliest_pickup must be before latest_dropoff")
        if (self.depot_latitude is None) != (self.depot_longitude is None):
            raise ValueError("give the depot both a latitude and a longitude, or neither")
        twice = [bus for bus, n in Counter(d.bus for d in self.depots).items() if n > 1]
        if twice:
            raise ValueError(f"bus {twice[0]!r} is given two depots: give each bus one")
        return self

    def unknown_buses(self, fleet: list[FleetBus]) -> str | None:
        """What is wrong with depots given for buses the fleet does not have, if anything."""
        names = {bus.name for bus in fleet}
        unknown = [d.bus for d in self.depots if d.bus not in names]
        if not unknown:
            return None
        have = ", ".join(sorted(names)) or "none yet"
        return (
            f"depots: the fleet has no bus {unknown[0]!r} (its buses: {have}); name a bus of"
            " the fleet, or add the bus to the fleet in the directory first"
        )

    def bus_rules(self, fleet: list[FleetBus]) -> BusRules:
        municipal = (
            None
            if self.depot_latitude is None or self.depot_longitude is None
            else Place(self.depot_latitude, self.depot_longitude)
        )
        own = {depot.bus: depot.place for depot in self.depots}
        return BusRules(
            fleet=tuple(
                Bus(b.name, b.seats, b.wheelchair_places, own.get(b.name, municipal)) for b in fleet
            ),
            opens=self.opens,
            closes=self.closes,
            earliest_pickup=self.earliest_pickup,
            latest_dropoff=self.latest_dropoff,
            min_distance_m=self.min_distance_m,
            booking_lead_days=self.booking_lead_days,
            arrive_before_min=self.arrive_before_min,
            leave_after_min=self.leave_after_min,
            max_ride_min=self.max_ride_min,
            frozen_days=self.frozen_days,
            speed_kmh=self.speed_kmh,
            one_trip_per_school_year=self.one_trip_per_school_year,
        )
