"""What transport keeps: bookings that may want a bus, what each class was told, the
municipality's rules as its administrator sets them, and the places the planning needs."""

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Self
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field, field_validator, model_validator

from kulturbro_contracts import limits
from kulturbro_contracts.directory import Bus as FleetBus
from kulturbro_contracts.transport import BusTrip, NoBusReason
from transport.domain import Bus, BusRules, Place


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Told(BaseModel):
    """What the class was last told: its trip, or why it has none."""

    trip: BusTrip | None = None
    reason: NoBusReason | None = None


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
    operator_email: EmailStr | None = None

    @field_validator("opens", "closes", "earliest_pickup", "latest_dropoff")
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
        return self

    def bus_rules(self, fleet: list[FleetBus]) -> BusRules:
        depot = (
            None
            if self.depot_latitude is None or self.depot_longitude is None
            else Place(self.depot_latitude, self.depot_longitude)
        )
        return BusRules(
            fleet=tuple(Bus(b.name, b.seats, b.wheelchair_places, depot) for b in fleet),
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
        )
