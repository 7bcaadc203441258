"""What the statistics are computed from: counts and decisions, never a person."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from kulturbro_contracts.booking import Question
from kulturbro_contracts.vocabulary import TargetGroup


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    ALLOCATED = "allocated"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class School:
    unit_id: UUID
    name: str
    district: str | None


@dataclass(frozen=True)
class Group:
    group_id: UUID
    unit_id: UUID
    target_group: TargetGroup
    pupils: int
    name: str | None = None  # as the directory names it ("3A"); none from before it was kept


@dataclass(frozen=True)
class OfferedEvent:
    event_id: UUID
    organizer_id: UUID
    title: dict[str, str]
    target_groups: frozenset[TargetGroup]

    @property
    def label(self) -> str:
        return title_of(self.title)


@dataclass(frozen=True)
class Occurrence:
    occurrence_id: UUID
    event_id: UUID
    starts_at: datetime
    ends_at: datetime
    capacity: int


@dataclass(frozen=True)
class Booking:
    """A booking as the latest of its events left it; the flags arrive in any order."""

    booking_id: UUID
    event_id: UUID
    group_id: UUID | None
    first_choice: UUID | None
    pupils: int
    adults: int
    wants_bus: bool
    occurrence_id: UUID | None = None
    seats: int = 0
    allocated: bool = False
    waitlisted: bool = False
    rejected: bool = False
    cancelled: bool = False
    attended: bool | None = None  # as the organizer recorded it
    pupils_attended: int | None = None
    bus_scheduled: bool = False  # as transport last told it
    offer_id: UUID | None = None  # the held seat it accepted: a visit outreach brought about

    @property
    def status(self) -> BookingStatus:
        if self.cancelled:
            return BookingStatus.CANCELLED
        if self.allocated and self.seats > 0:
            return BookingStatus.ALLOCATED
        if self.rejected:
            return BookingStatus.REJECTED
        if self.waitlisted:
            return BookingStatus.WAITLISTED
        return BookingStatus.REQUESTED

    @property
    def occurrence(self) -> UUID | None:
        """The occurrence it was given, else the one asked for first: where it counts."""
        return self.occurrence_id or self.first_choice


@dataclass(frozen=True)
class Evaluation:
    booking_id: UUID
    event_id: UUID
    came: bool
    pupils_present: int | None
    scores: dict[Question, int]
    comment: str = ""


@dataclass(frozen=True)
class Facts:
    """One municipality's projections, whole; the figures pick the period and slice."""

    time_zone: str
    schools: list[School] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    events: list[OfferedEvent] = field(default_factory=list)
    occurrences: list[Occurrence] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    organizers: dict[UUID, str] = field(default_factory=dict)


def title_of(title: dict[str, str]) -> str:
    """A title in the first language it was given in."""
    return next((text for text in title.values() if text), "")
