"""Catalog events: organizers publish events (offerings) with occurrences for target groups.

Keyed by the catalog event, so an event's occurrences change in the order they were made.
"""

from datetime import date, datetime, timedelta
from typing import ClassVar, Literal, Self
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field, model_validator

from kulturbro_contracts.envelope import Event
from kulturbro_contracts.vocabulary import BookingPolicy, Language, LocalizedText, TargetGroup

# What an event's release days mean when none is set: counted from the booking window's close.
HELD_BACK_RELEASE_AFTER = timedelta(days=7)
QUOTA_RELEASE_AFTER = timedelta(days=3)


class Venue(BaseModel):
    name: str = Field(min_length=1)
    address: str | None = None
    district: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    step_free: bool = False
    hearing_loop: bool = False
    toilets: bool = False
    cloakroom: bool = False
    lunch_room: bool = False


class Occurrence(BaseModel):
    occurrence_id: UUID
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(ge=1, description="seats, pupils and adults together")
    language: Language

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise ValueError("an occurrence must end after it starts")
        return self


class CatalogEvent(Event):
    stream: ClassVar[str] = "catalog"

    def key(self) -> str:
        return str(self.payload.event_id)  # type: ignore[attr-defined]


class PublishedEvent(BaseModel):
    event_id: UUID
    organizer_id: UUID
    title: LocalizedText
    description: LocalizedText
    category: str
    target_groups: list[TargetGroup] = Field(min_length=1)
    duration_minutes: int = Field(ge=1)
    venue: Venue
    max_group_size: int = Field(ge=1)
    adults_per_group: int = Field(ge=0)
    needed_occurrences: int = Field(default=1, ge=1)
    booking_policy: BookingPolicy
    booking_opens_at: datetime | None = None
    booking_closes_at: datetime | None = None
    cancellation_deadline_days: int = Field(default=7, ge=0)
    occurrences: list[Occurrence] = Field(
        description="the occurrences that take place; cancelled ones are left out"
    )
    held_back_share: int = Field(
        default=15,
        ge=0,
        le=100,
        description="percent of each occurrence's seats held out of the draw and offered to "
        "groups with no visit this school year",
    )
    held_back_release_on: date | None = Field(
        default=None,
        description="the day what is left of the held-back seats goes to the waiting list; "
        "none: 7 days after the booking window closes",
    )
    quota_release_on: date | None = Field(
        default=None,
        description="district quotas: the day the seats districts have not used become free "
        "for all; none: 3 days after the booking window closes",
    )


class OccurrenceOfEvent(BaseModel):
    event_id: UUID
    occurrence: Occurrence


class OccurrenceCancellation(BaseModel):
    event_id: UUID
    occurrence_id: UUID
    reason: str = ""


class EventCancellation(BaseModel):
    event_id: UUID
    reason: str = ""


class EventPublished(CatalogEvent):
    event_type: Literal["EventPublished"] = "EventPublished"
    schema_version: Literal[1] = 1
    payload: PublishedEvent


class EventChanged(CatalogEvent):
    """A published event's details changed; the payload is the event as it now stands."""

    event_type: Literal["EventChanged"] = "EventChanged"
    schema_version: Literal[1] = 1
    payload: PublishedEvent


class OccurrenceScheduled(CatalogEvent):
    event_type: Literal["OccurrenceScheduled"] = "OccurrenceScheduled"
    schema_version: Literal[1] = 1
    payload: OccurrenceOfEvent


class OccurrenceChanged(CatalogEvent):
    event_type: Literal["OccurrenceChanged"] = "OccurrenceChanged"
    schema_version: Literal[1] = 1
    payload: OccurrenceOfEvent


class OccurrenceCancelled(CatalogEvent):
    event_type: Literal["OccurrenceCancelled"] = "OccurrenceCancelled"
    schema_version: Literal[1] = 1
    payload: OccurrenceCancellation


class EventCancelled(CatalogEvent):
    event_type: Literal["EventCancelled"] = "EventCancelled"
    schema_version: Literal[1] = 1
    payload: EventCancellation


class OrganizerContact(BaseModel):
    organizer_id: UUID
    name: str = Field(min_length=1)
    contact_email: EmailStr


class OrganizerRegistered(CatalogEvent):
    """An organizer joined a municipality's offering; who to tell about its bookings."""

    event_type: Literal["OrganizerRegistered"] = "OrganizerRegistered"
    schema_version: Literal[1] = 1
    payload: OrganizerContact

    def key(self) -> str:
        return str(self.payload.organizer_id)
