"""Booking events: teachers ask for seats for one of their groups, or cancel.

Keyed by the catalog event, so every request for its occurrences is decided in order.
"""

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from kulturbro_contracts.envelope import Event
from kulturbro_contracts.vocabulary import LocalizedText


class BookingEvent(Event):
    stream: ClassVar[str] = "booking"

    def key(self) -> str:
        return str(self.payload.event_id)  # type: ignore[attr-defined]


class BookingRequest(BaseModel):
    booking_id: UUID
    event_id: UUID
    occurrence_ids: list[UUID] = Field(
        min_length=1, description="acceptable occurrences, best first"
    )
    group_id: UUID
    unit_id: UUID
    teacher_id: UUID
    pupils: int = Field(ge=0)
    adults: int = Field(ge=0)
    wheelchair_places: int = Field(default=0, ge=0)
    wants_bus: bool = False
    note: str = ""


class BookingCancellation(BaseModel):
    booking_id: UUID
    event_id: UUID
    cancelled_by: UUID
    reason: str = ""
    explanation: LocalizedText | None = Field(
        default=None,
        description="the cancellation as the booking now explains itself; none from older senders",
    )


class BookingRequested(BookingEvent):
    event_type: Literal["BookingRequested"] = "BookingRequested"
    schema_version: Literal[1] = 1
    payload: BookingRequest


class BookingCancelled(BookingEvent):
    event_type: Literal["BookingCancelled"] = "BookingCancelled"
    schema_version: Literal[1] = 1
    payload: BookingCancellation
