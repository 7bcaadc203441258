"""Allocation events: every booking request is decided, and every decision is explained.

Keyed by the catalog event, like the requests they answer.
"""

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
