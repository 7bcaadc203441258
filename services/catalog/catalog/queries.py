"""Read models: the events a teacher's groups can go to, and a municipality's public listing.

Plain SQL over the catalog's tables; the domain model is for changes, not for finding.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self
from uuid import UUID

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import ColumnElement, and_, any_, distinct, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.db import event, occurrence, organizer
from catalog.domain import (
    Category,
    EventDetails,
    EventStatus,
    effective_release_dates,
)
from kulturbro_contracts.vocabulary import Language, TargetGroup
from kulturbro_replicas.directory import group as known_group
from kulturbro_replicas.directory import teacher_group
from kulturbro_runtime import like


class OccurrenceListing(BaseModel):
    id: UUID
    starts_at: datetime
    ends_at: datetime
    language: Language
    capacity: int
    free_seats: int


class EventListing(EventDetails):
    """A published event as anyone may see it: no contact details, no one's bookings; with the
    release days that apply, the defaults filled in."""

    id: UUID
    organizer_name: str
    occurrences: list[OccurrenceListing]

    @model_validator(mode="after")
    def _release_dates_that_apply(self) -> Self:
        applying = effective_release_dates(self.booking_closes_at, self)
        self.held_back_release_on = applying.held_back_release_on
        self.quota_release_on = applying.quota_release_on
        return self


class EventForGroups(EventListing):
    for_groups: list[UUID] = Field(description="the teacher's groups the event is for")


class PublicEvent(EventListing):
    municipality_id: str


class _Page(BaseModel):
    page: int
    page_size: int
    total: int


class EventPage(_Page):
    items: list[EventListing]


class EventsForGroupsPage(_Page):
    items: list[EventForGroups]


@dataclass(frozen=True)
class TeacherSearch:
    starts_from: datetime
    starts_before: datetime | None = None
    category: Category | None = None
    language: Language | None = None
    district: str | None = None
    text: str | None = None
    free_seats_only: bool = False
    target_group: TargetGroup | None = None


_OCCURRENCE_LISTING = (
    occurrence.c.id,
    occurrence.c.event_id,
    occurrence.c.starts_at,
    occurrence.c.ends_at,
    occurrence.c.language,
    occurrence.c.capacity,
    func.greatest(occurrence.c.capacity - occurrence.c.booked_seats, 0).label("free_seats"),
)
_PUBLISHED = event.c.status == EventStatus.PUBLISHED.value
_SEARCHABLE = func.concat_ws(
    " ",
    *(
        event.c[field][language.value].astext
        for field in ("title", "description")
        for language in Language
    ),
)


def _containing(text: str) -> list[ColumnElement[bool]]:
    """Every word must appear somewhere in a title or description, in any language."""
    return [_SEARCHABLE.ilike(like.containing(word), escape=like.ESCAPE) for word in text.split()]


def _search_conditions(search: TeacherSearch) -> list[ColumnElement[bool]]:
    conditions = [occurrence.c.starts_at >= search.starts_from]
    if search.starts_before is not None:
        conditions.append(occurrence.c.starts_at < search.starts_before)
    if search.category is not None:
        conditions.append(event.c.category == search.category.value)
    if search.language is not None:
        conditions.append(occurrence.c.language == search.language.value)
    if search.district:
        district = event.c.venue["district"].astext
        conditions.append(func.lower(district) == search.district.lower())
    if search.text:
        conditions += _containing(search.text)
    if search.target_group is not None:
        conditions.append(any_(event.c.target_groups) == search.target_group.value)
    return conditions


async def _listings(session: AsyncSession, event_ids: Sequence[UUID]) -> dict[UUID, dict[str, Any]]:
    rows = await session.execute(
        select(event, organizer.c.name.label("organizer_name"))
        .join(organizer, organizer.c.id == event.c.organizer_id)
        .where(event.c.id.in_(event_ids))
    )
    return {row["id"]: dict(row) for row in rows.mappings()}


async def events_for_teacher(
    session: AsyncSession,
    municipality_id: str,
    teacher_id: UUID,
    search: TeacherSearch,
    page: int,
    page_size: int,
) -> EventsForGroupsPage:
    """Published events for a target group of one of the teacher's groups, soonest first, each
    with the occurrences that match the search; with free seats only, an occurrence must have
    room for a whole group and its adults, since a group is never split."""
    # Her few groups first, each by its key, and matched against the events on their own:
    # planned as one join, a municipality's 20,000 groups were read to find them, and matched
    # against every occurrence before hers were picked out (seconds a page).
    theirs = await session.scalars(
        select(teacher_group.c.group_id).where(
            teacher_group.c.teacher_id == teacher_id,
            teacher_group.c.municipality_id == municipality_id,
        )
    )
    mine = (
        select(known_group.c.group_id, known_group.c.target_group, known_group.c.size)
        .where(
            known_group.c.group_id.in_(list(theirs)),
            known_group.c.municipality_id == municipality_id,
        )
        .cte("mine")
        .prefix_with("MATERIALIZED")
    )
    suits = mine.c.target_group == any_(event.c.target_groups)
    if search.free_seats_only:
        seats_left = occurrence.c.capacity - occurrence.c.booked_seats
        suits = and_(suits, seats_left >= mine.c.size + event.c.adults_per_group)
    matching = (
        select(*_OCCURRENCE_LISTING, func.array_agg(distinct(mine.c.group_id)).label("groups"))
        .select_from(occurrence)
        .join(event, event.c.id == occurrence.c.event_id)
        .join(mine, suits)
        .where(
            event.c.municipality_id == municipality_id,
            _PUBLISHED,
            ~occurrence.c.cancelled,
            *_search_conditions(search),
        )
        .group_by(occurrence.c.id)
        .cte("matching")
    )
    events_found = (
        select(matching.c.event_id, func.min(matching.c.starts_at).label("first"))
        .group_by(matching.c.event_id)
        .subquery("events_found")
    )
    total = await session.scalar(select(func.count()).select_from(events_found))
    page_ids = list(
        await session.scalars(
            select(events_found.c.event_id)
            .order_by(events_found.c.first, events_found.c.event_id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    )
    found = await session.execute(
        select(matching)
        .where(matching.c.event_id.in_(page_ids))
        .order_by(matching.c.starts_at, matching.c.id)
    )
    occurrences: dict[UUID, list[dict[str, Any]]] = {event_id: [] for event_id in page_ids}
    groups: dict[UUID, set[UUID]] = {event_id: set() for event_id in page_ids}
    for row in found.mappings():
        occurrences[row["event_id"]].append(dict(row))
        groups[row["event_id"]].update(row["groups"])
    listings = await _listings(session, page_ids)
    return EventsForGroupsPage(
        items=[
            EventForGroups.model_validate(
                listings[event_id]
                | {"occurrences": listed, "for_groups": sorted(groups[event_id], key=str)}
            )
            for event_id, listed in occurrences.items()
        ],
        page=page,
        page_size=page_size,
        total=total or 0,
    )


async def public_listing(
    session: AsyncSession, municipality_id: str, search: TeacherSearch, page: int, page_size: int
) -> EventPage:
    """A municipality's published events that still have an occurrence to come matching the
    search, soonest first, each with those occurrences."""
    to_come = and_(
        occurrence.c.event_id == event.c.id, ~occurrence.c.cancelled, *_search_conditions(search)
    )
    listed = and_(event.c.municipality_id == municipality_id, _PUBLISHED, exists().where(to_come))
    total = await session.scalar(select(func.count()).select_from(event).where(listed))
    next_start = select(func.min(occurrence.c.starts_at)).where(to_come).scalar_subquery()
    page_ids = list(
        await session.scalars(
            select(event.c.id)
            .where(listed)
            .order_by(next_start, event.c.id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    )
    found = await session.execute(
        select(*_OCCURRENCE_LISTING)
        .join(event, event.c.id == occurrence.c.event_id)
        .where(occurrence.c.event_id.in_(page_ids), to_come)
        .order_by(occurrence.c.starts_at, occurrence.c.id)
    )
    occurrences: dict[UUID, list[dict[str, Any]]] = {event_id: [] for event_id in page_ids}
    for row in found.mappings():
        occurrences[row["event_id"]].append(dict(row))
    listings = await _listings(session, page_ids)
    return EventPage(
        items=[
            EventListing.model_validate(listings[event_id] | {"occurrences": matching})
            for event_id, matching in occurrences.items()
        ],
        page=page,
        page_size=page_size,
        total=total or 0,
    )


async def public_event(session: AsyncSession, event_id: UUID, now: datetime) -> PublicEvent | None:
    """A published event as anyone may see it, with its occurrences to come; None for one that
    is not published (a draft, a cancelled one) or does not exist."""
    listings = await _listings(session, [event_id])
    found = listings.get(event_id)
    if found is None or found["status"] != EventStatus.PUBLISHED.value:
        return None
    rows = await session.execute(
        select(*_OCCURRENCE_LISTING)
        .where(
            occurrence.c.event_id == event_id,
            ~occurrence.c.cancelled,
            occurrence.c.starts_at >= now,
        )
        .order_by(occurrence.c.starts_at, occurrence.c.id)
    )
    return PublicEvent.model_validate(found | {"occurrences": [dict(r) for r in rows.mappings()]})
