"""Events, whole with their occurrences, in and out of the catalog's tables."""

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import ColumnElement, RowMapping, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.db import event, occurrence
from catalog.domain import Event, EventStatus
from catalog.public_pages import PAGES

_EVENT_COLUMNS = {column.name for column in event.columns} - {"created_at", "updated_at"}
# booked_seats is left out: only the allocation's events change it.
_PLANNED = ("starts_at", "ends_at", "capacity", "language", "cancelled")


def _owned(municipality_id: str, organizer_id: UUID) -> ColumnElement[bool]:
    return (event.c.municipality_id == municipality_id) & (event.c.organizer_id == organizer_id)


def _assemble(row: RowMapping, occurrences: Iterable[RowMapping]) -> Event:
    return Event.model_validate({**row, "occurrences": [dict(o) for o in occurrences]})


async def load(
    session: AsyncSession,
    event_id: UUID,
    municipality_id: str,
    organizer_id: UUID | None,
    *,
    for_change: bool,
) -> Event | None:
    """The organizer's event (any of the municipality's, for its culture office: no organizer);
    for a change, locked until the transaction ends, so that changes to one event take turns."""
    whose = (
        event.c.municipality_id == municipality_id
        if organizer_id is None
        else _owned(municipality_id, organizer_id)
    )
    find = select(event).where(event.c.id == event_id, whose)
    row = (await session.execute(find.with_for_update() if for_change else find)).mappings().first()
    if row is None:
        return None
    its_occurrences = (
        select(occurrence)
        .where(occurrence.c.event_id == event_id)
        .order_by(occurrence.c.starts_at, occurrence.c.id)
    )
    occurrences = await session.execute(
        its_occurrences.with_for_update() if for_change else its_occurrences
    )
    return _assemble(row, occurrences.mappings())


async def owned_by(
    session: AsyncSession,
    municipality_id: str,
    organizer_id: UUID,
    status: EventStatus | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[Event]:
    """The organizer's events, newest first: all of them, or a page of one status."""
    chosen = _owned(municipality_id, organizer_id)
    if status is not None:
        chosen = chosen & (event.c.status == status.value)
    rows = (
        (
            await session.execute(
                select(event)
                .where(chosen)
                .order_by(event.c.created_at.desc(), event.c.id)
                .offset(offset)
                .limit(limit)
            )
        )
        .mappings()
        .all()
    )
    occurrences = await session.execute(
        select(occurrence)
        .where(occurrence.c.event_id.in_([row["id"] for row in rows]))
        .order_by(occurrence.c.starts_at, occurrence.c.id)
    )
    by_event: dict[UUID, list[RowMapping]] = {}
    for found in occurrences.mappings():
        by_event.setdefault(found["event_id"], []).append(found)
    return [_assemble(row, by_event.get(row["id"], [])) for row in rows]


async def count_owned(
    session: AsyncSession, municipality_id: str, organizer_id: UUID, status: EventStatus
) -> int:
    chosen = _owned(municipality_id, organizer_id) & (event.c.status == status.value)
    return int(await session.scalar(select(func.count()).select_from(event).where(chosen)) or 0)


async def save(session: AsyncSession, changed: Event) -> None:
    PAGES.drop(changed.id)  # every change to an event passes here
    values = changed.model_dump(include=_EVENT_COLUMNS)
    await session.execute(
        insert(event)
        .values(values)
        .on_conflict_do_update(index_elements=["id"], set_=values | {"updated_at": func.now()})
    )
    await session.execute(
        delete(occurrence).where(
            occurrence.c.event_id == changed.id,
            occurrence.c.id.not_in([o.id for o in changed.occurrences]),
        )
    )
    if not changed.occurrences:
        return
    upsert = insert(occurrence).values(
        [
            o.model_dump(include={"id", *_PLANNED}) | {"event_id": changed.id}
            for o in changed.occurrences
        ]
    )
    await session.execute(
        upsert.on_conflict_do_update(
            index_elements=["id"], set_={name: upsert.excluded[name] for name in _PLANNED}
        )
    )


async def delete_draft(session: AsyncSession, draft: Event) -> None:
    draft.ensure_deletable()
    PAGES.drop(draft.id)
    await session.execute(delete(event).where(event.c.id == draft.id))
