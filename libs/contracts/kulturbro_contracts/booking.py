"""Booking events: teachers ask for seats for one of their groups, or cancel.

Keyed by the catalog event, so every request for its occurrences is decided in order.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal
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
    offer_id: UUID | None = Field(
        default=None, description="the held-back seats offered to this group that it accepts"
    )


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


class Question(StrEnum):
    """What a teacher rates after a visit, each on a scale of 1 (poor) to 5 (excellent)."""

    OVERALL = "overall"  # the performance or visit as a whole
    AGE_FIT = "age_fit"  # how well it suited the pupils' age
    ENGAGEMENT = "engagement"  # the pupils' engagement
    ARRANGEMENTS = "arrangements"  # the venue and practical arrangements
    BUS = "bus"  # the culture bus, where the group had one


class Evaluation(BaseModel):
    """A teacher's evaluation of one booked visit: no pupil's data, only counts and scores."""

    booking_id: UUID
    event_id: UUID
    occurrence_id: UUID
    group_id: UUID
    unit_id: UUID
    came: bool = Field(description="whether the group came at all")
    pupils_present: int | None = Field(default=None, ge=0)
    scores: dict[Question, Annotated[int, Field(ge=1, le=5)]] = Field(
        description="1 to 5 per question answered; the bus only where there was one"
    )
    comment: str = Field(default="", description="the teacher was told the organizer may read it")
    revision: int = Field(ge=1, description="1 when first given, one more at each correction")
    submitted_at: datetime


class EvaluationSubmitted(BookingEvent):
    """Given or corrected: the latest revision of a booking's evaluation replaces the earlier."""

    event_type: Literal["EvaluationSubmitted"] = "EvaluationSubmitted"
    schema_version: Literal[1] = 1
    payload: Evaluation


class Attendance(BaseModel):
    """Who came to a booked visit, as the organizer saw it: counts only."""

    booking_id: UUID
    event_id: UUID
    occurrence_id: UUID
    group_id: UUID
    unit_id: UUID
    came: bool = Field(description="false: a no-show")
    pupils_present: int | None = Field(default=None, ge=0, description="when the group came")
    recorded_at: datetime


class AttendanceRecorded(BookingEvent):
    """Recorded or corrected by the organizer: the latest replaces the earlier."""

    event_type: Literal["AttendanceRecorded"] = "AttendanceRecorded"
    schema_version: Literal[1] = 1
    payload: Attendance
