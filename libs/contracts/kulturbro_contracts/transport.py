"""Transport events: the culture bus a confirmed booking gets, or why it gets none.

Keyed by the booking, so what one class is told about its bus arrives in the order it was made.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field

from kulturbro_contracts.envelope import Event


class TransportEvent(Event):
    stream: ClassVar[str] = "transport"

    def key(self) -> str:
        return str(self.payload.booking_id)  # type: ignore[attr-defined]


class NoBusReason(StrEnum):
    """Why a class gets no bus; each names what would have to change."""

    TOO_NEAR = "too_near"
    TOO_LATE_TO_BOOK = "too_late_to_book"
    NO_BUS_FREE = "no_bus_free"
    RIDE_TOO_LONG = "ride_too_long"
    NO_COORDINATES = "no_coordinates"
    NO_FLEET = "no_fleet"
    NO_OPERATING_HOURS = "no_operating_hours"
    ONE_TRIP_A_YEAR = "one_trip_a_year"  # the group has had its bus trip this school year


class BusTrip(BaseModel):
    booking_id: UUID
    event_id: UUID
    occurrence_id: UUID
    bus: str = Field(description="the bus that takes the class there")
    pickup_at: datetime = Field(description="when the class boards at its school")
    pickup_place: str = Field(description="the school's name, and its address where known")
    pickup_latitude: float = Field(ge=-90, le=90)
    pickup_longitude: float = Field(ge=-180, le=180)
    return_bus: str = Field(description="the bus that brings the class back")
    return_at: datetime = Field(description="when the bus leaves the venue")
    home_at: datetime = Field(description="when the class is back at its school")


class ChangedBusTrip(BusTrip):
    previous_pickup_at: datetime
    previous_return_at: datetime


class Unavailability(BaseModel):
    booking_id: UUID
    event_id: UUID
    occurrence_id: UUID
    reason: NoBusReason
    message: str = Field(description="for the administrator: what to fix, where anything can be")
    alternatives: list[UUID] = Field(
        default=[], description="other occurrences of the same event with a bus free, if known"
    )


class CancelledBecause(StrEnum):
    BOOKING_CANCELLED = "booking_cancelled"
    OCCURRENCE_CANCELLED = "occurrence_cancelled"
    REPLANNED = "replanned"  # the day was planned again without this class's trip


class TripCancellation(BaseModel):
    booking_id: UUID
    event_id: UUID
    occurrence_id: UUID
    reason: CancelledBecause


class BusScheduled(TransportEvent):
    event_type: Literal["BusScheduled"] = "BusScheduled"
    schema_version: Literal[1] = 1
    payload: BusTrip


class BusUnavailable(TransportEvent):
    event_type: Literal["BusUnavailable"] = "BusUnavailable"
    schema_version: Literal[1] = 1
    payload: Unavailability


class BusTripChanged(TransportEvent):
    event_type: Literal["BusTripChanged"] = "BusTripChanged"
    schema_version: Literal[1] = 1
    payload: ChangedBusTrip


class BusTripCancelled(TransportEvent):
    event_type: Literal["BusTripCancelled"] = "BusTripCancelled"
    schema_version: Literal[1] = 1
    payload: TripCancellation


class RunSheetStopKind(StrEnum):
    PICK_UP = "pick_up"
    DROP_OFF = "drop_off"


class RunSheetStop(BaseModel):
    at: datetime = Field(description="when the bus is at the stop")
    kind: RunSheetStopKind
    place: str = Field(description="the school's or the venue's name")
    address: str | None = Field(default=None, description="where known")
    travellers: int = Field(ge=0, description="pupils and adults boarding or leaving")
    wheelchair_places: int = Field(default=0, ge=0)
    teacher_phone: str | None = Field(default=None, description="the class's teacher, if given")


class RunSheetBus(BaseModel):
    bus: str
    leaves_depot: datetime
    back_at_depot: datetime
    stops: list[RunSheetStop] = Field(description="in the order the bus drives them")


class RunSheet(BaseModel):
    """A day's bus stops for the operator; a later revision replaces an earlier one whole."""

    day: date = Field(description="the day the buses drive, in the municipality's time zone")
    operator_email: EmailStr
    revision: int = Field(ge=1, description="1 for the first sheet of the day, then 2, 3 ...")
    buses: list[RunSheetBus] = Field(description="every bus that drives that day; none: no trip")


class BusRunSheetIssued(TransportEvent):
    """The operator's run sheet for one day, once per revision."""

    event_type: Literal["BusRunSheetIssued"] = "BusRunSheetIssued"
    schema_version: Literal[1] = 1
    payload: RunSheet

    def key(self) -> str:
        return f"{self.municipality_id}:{self.payload.day}"
