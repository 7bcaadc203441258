"""Allocation events: every booking request is decided, and every decision is explained.

Keyed by the catalog event, like the requests they answer.
"""

from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from kulturbro_contracts.envelope import Event
from kulturbro_contracts.vocabulary import LocalizedText


class AllocationEvent(Event):
    stream: ClassVar[str] = "allocation"

    def key(self) -> str:
        return str(self.payload.event_id)  # type: ignore[attr-defined]


class Allocation(BaseModel):
    booking_id: UUID
    event_id: UUID
    occurrence_id: UUID
    group_id: UUID
    unit_id: UUID
    seats: int = Field(ge=1)
    explanation: LocalizedText


class Waitlisting(BaseModel):
    booking_id: UUID
    event_id: UUID
    position: int = Field(ge=1)
    explanation: LocalizedText


class Rejection(BaseModel):
    booking_id: UUID
    event_id: UUID
    reason: str = Field(description="a stable code, e.g. occurrence_cancelled")
    explanation: LocalizedText


class Release(BaseModel):
    booking_id: UUID
    event_id: UUID
    occurrence_id: UUID
    seats: int = Field(ge=1)


class SeatsAllocated(AllocationEvent):
    event_type: Literal["SeatsAllocated"] = "SeatsAllocated"
    schema_version: Literal[1] = 1
    payload: Allocation


class BookingWaitlisted(AllocationEvent):
    event_type: Literal["BookingWaitlisted"] = "BookingWaitlisted"
    schema_version: Literal[1] = 1
    payload: Waitlisting


class BookingRejected(AllocationEvent):
    event_type: Literal["BookingRejected"] = "BookingRejected"
    schema_version: Literal[1] = 1
    payload: Rejection


class SeatsReleased(AllocationEvent):
    event_type: Literal["SeatsReleased"] = "SeatsReleased"
    schema_version: Literal[1] = 1
    payload: Release


class Offer(BaseModel):
    """Held-back seats offered directly to a group that has had no visit this school year."""

    offer_id: UUID
    event_id: UUID
    occurrence_id: UUID
    group_id: UUID
    unit_id: UUID
    pupils: int = Field(ge=0)
    adults: int = Field(ge=0)
    seats: int = Field(ge=1, description="pupils and adults together; the group is never split")
    deadline: datetime = Field(
        description="accepted before this instant or not at all: the held-back seats' release"
    )
    explanation: LocalizedText


class OfferEnd(StrEnum):
    RELEASED = "released"
    """The release date came: what was left went to the waiting list."""
    WITHDRAWN = "withdrawn"
    """The occurrence was cancelled, or the group got seats for the event another way."""


class OfferExpiry(BaseModel):
    offer_id: UUID
    event_id: UUID
    group_id: UUID
    reason: OfferEnd
    explanation: LocalizedText


class SeatsOffered(AllocationEvent):
    """Seats held for a group until the deadline; its teachers accept with a BookingRequested
    that names the offer, which is decided at once from the held seats."""

    event_type: Literal["SeatsOffered"] = "SeatsOffered"
    schema_version: Literal[1] = 1
    payload: Offer


class OfferExpired(AllocationEvent):
    """An offer not accepted can no longer be: its seats went back."""

    event_type: Literal["OfferExpired"] = "OfferExpired"
    schema_version: Literal[1] = 1
    payload: OfferExpiry
