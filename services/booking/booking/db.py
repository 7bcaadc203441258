"""The booking service's own table; groups, teachers and events are kept as replicas."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from sqlalchemy import JSON, Column, Enum, UniqueConstraint
from sqlmodel import Field, SQLModel

from booking.domain import OfferState


class Status(StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


ACTIVE = (Status.REQUESTED, Status.CONFIRMED, Status.WAITLISTED)


class Booking(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("teacher_id", "idempotency_key"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    municipality_id: str = Field(index=True, max_length=64)
    event_id: UUID = Field(index=True)
    group_id: UUID = Field(index=True)
    unit_id: UUID
    teacher_id: UUID = Field(index=True)
    occurrence_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    pupils: int
    adults: int
    wheelchair_places: int = 0
    wants_bus: bool = False
    note: str = ""
    # By name ('CONFIRMED') in a varchar, as the table has held it from the start.
    status: Status = Field(
        default=Status.REQUESTED,
        sa_type=Enum(Status, native_enum=False, create_constraint=False, length=20),
    )
    occurrence_id: UUID | None = None
    waitlist_position: int | None = None
    explanation: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    idempotency_key: str | None = Field(default=None, max_length=200)
    requested_at: datetime


class EvaluationRecord(SQLModel, table=True):
    """A teacher's evaluation of a booked visit: its latest revision, and when it was first
    given (which starts its 14 days of correction)."""

    __tablename__ = "evaluation"

    booking_id: UUID = Field(primary_key=True)
    municipality_id: str = Field(index=True, max_length=64)
    event_id: UUID = Field(index=True)
    occurrence_id: UUID
    group_id: UUID
    unit_id: UUID
    came: bool
    pupils_present: int | None = None
    scores: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    comment: str = ""
    revision: int = 1
    first_given_at: datetime
    given_at: datetime


class OfferRecord(SQLModel, table=True):
    """Held-back seats the allocation offered one group, as the booking service keeps it: who
    may accept it, until when, and what came of it."""

    __tablename__ = "offer"

    offer_id: UUID = Field(primary_key=True)
    municipality_id: str = Field(index=True, max_length=64)
    event_id: UUID = Field(index=True)
    occurrence_id: UUID
    group_id: UUID = Field(index=True)
    unit_id: UUID
    pupils: int
    adults: int
    deadline: datetime
    state: OfferState = Field(
        default=OfferState.OPEN,
        sa_type=Enum(OfferState, native_enum=False, create_constraint=False, length=20),
    )
    booking_id: UUID | None = None
    explanation: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )


class AttendanceRecord(SQLModel, table=True):
    """Who came to a booked visit, as its organizer (or the culture office) last recorded it."""

    __tablename__ = "attendance"

    booking_id: UUID = Field(primary_key=True)
    municipality_id: str = Field(index=True, max_length=64)
    event_id: UUID = Field(index=True)
    came: bool
    pupils_present: int | None = None
    recorded_at: datetime
