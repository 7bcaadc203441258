"""A booking request's hot path in SQLAlchemy Core: what it is checked against, read in one
statement, and the booking written with its BookingRequested in the same transaction."""

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import BindParameter, Select, String, Table, bindparam, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from booking.db import ACTIVE, Booking, Status
from booking.domain import Rules, Slot
from kulturbro_contracts import Event
from kulturbro_replicas import catalog, directory
from kulturbro_runtime.unit_of_work import INSERT_OUTBOX, outbox_columns

BOOKING: Table = Booking.metadata.tables["booking"]


@dataclass(frozen=True)
class Group:
    unit_id: UUID
    target_group: str
    size: int


@dataclass(frozen=True)
class Grounds:
    """All a request is checked against. `group` is None when the caller does not teach the
    group in this municipality, `rules` when the municipality has no such published event;
    `earlier` is the booking an earlier attempt with the same idempotency key made."""

    group: Group | None
    rules: Rules | None
    slots: dict[UUID, Slot]
    active_bookings: int
    earlier: UUID | None


def _grounds_statement() -> Select[Any]:
    """One statement where there were five: the aggregate of the event's occurrences is always
    one row, and the teacher's group, the event's rules, the group's active bookings and an
    earlier attempt are joined to it or asked of it. Built once: building it took as long as
    running it."""
    group, event, occurrence = directory.group, catalog.event, catalog.occurrence
    teacher_id: BindParameter[Any] = bindparam("teacher_id")
    group_id: BindParameter[Any] = bindparam("group_id")
    event_id: BindParameter[Any] = bindparam("event_id")
    municipality_id: BindParameter[Any] = bindparam("municipality_id")
    slots = (
        select(
            func.array_agg(occurrence.c.occurrence_id).label("occurrence_ids"),
            func.array_agg(occurrence.c.starts_at).label("starts_at"),
            func.array_agg(occurrence.c.cancelled).label("occurrences_cancelled"),
        )
        .where(occurrence.c.event_id == event_id)
        .subquery("slots")
    )
    taught = (
        select(group.c.unit_id, group.c.target_group, group.c.size)
        .join(directory.teacher_group, directory.teacher_group.c.group_id == group.c.group_id)
        .where(
            directory.teacher_group.c.teacher_id == teacher_id,
            group.c.group_id == group_id,
            group.c.municipality_id == municipality_id,
        )
        .subquery("taught")
    )
    rules = (
        select(
            event.c.target_groups,
            event.c.max_group_size,
            event.c.adults_per_group,
            event.c.needed_occurrences,
            event.c.booking_opens_at,
            event.c.booking_closes_at,
            event.c.cancellation_deadline_days,
            event.c.cancelled,
        )
        .where(event.c.event_id == event_id, event.c.municipality_id == municipality_id)
        .subquery("rules")
    )
    active = (
        select(func.count())
        .select_from(BOOKING)
        .where(
            BOOKING.c.group_id == group_id,
            BOOKING.c.event_id == event_id,
            BOOKING.c.status.in_(ACTIVE),
        )
        .scalar_subquery()
    )
    # No key: NULL, which equals no row's key.
    earlier = (
        select(BOOKING.c.id)
        .where(
            BOOKING.c.teacher_id == teacher_id,
            BOOKING.c.idempotency_key == bindparam("idempotency_key", type_=String),
        )
        .scalar_subquery()
    )
    return select(
        *slots.c, *taught.c, *rules.c, active.label("active_bookings"), earlier.label("earlier")
    ).select_from(slots.outerjoin(taught, true()).outerjoin(rules, true()))


_GROUNDS = _grounds_statement()


async def grounds(
    connection: AsyncConnection,
    teacher_id: UUID,
    group_id: UUID,
    event_id: UUID,
    municipality_id: str,
    idempotency_key: str | None,
) -> Grounds:
    """All a request is checked against, in one statement."""
    found = await connection.execute(
        _GROUNDS,
        {
            "teacher_id": teacher_id,
            "group_id": group_id,
            "event_id": event_id,
            "municipality_id": municipality_id,
            "idempotency_key": idempotency_key,
        },
    )
    row = found.mappings().one()
    return Grounds(
        group=Group(row["unit_id"], row["target_group"], row["size"])
        if row["unit_id"] is not None
        else None,
        rules=rules_of(row) if row["max_group_size"] is not None else None,
        slots={
            occurrence_id: Slot(occurrence_id, starts_at, cancelled)
            for occurrence_id, starts_at, cancelled in zip(
                row["occurrence_ids"] or [],
                row["starts_at"] or [],
                row["occurrences_cancelled"] or [],
                strict=True,
            )
        },
        active_bookings=int(row["active_bookings"]),
        earlier=row["earlier"],
    )


def rules_of(row: Any) -> Rules:
    """An event's booking rules from a row of the catalog's copy (request and cancellation)."""
    return Rules(
        target_groups=row["target_groups"],
        max_group_size=row["max_group_size"],
        adults_per_group=row["adults_per_group"],
        needed_occurrences=row["needed_occurrences"],
        booking_opens_at=row["booking_opens_at"],
        booking_closes_at=row["booking_closes_at"],
        cancellation_deadline_days=row["cancellation_deadline_days"],
        cancelled=row["cancelled"],
    )


# The booking and its BookingRequested in one statement (one round trip, not two): the
# booking's insert runs as a data-modifying WITH of the outbox's. Its parameters are prefixed,
# the outbox's taking the plain names; the status by name, as the column has held it.
_RECORD = (
    "with kept as (insert into booking (id, municipality_id, event_id, group_id, unit_id,"
    " teacher_id, occurrence_ids, pupils, adults, wheelchair_places, wants_bus, note, status,"
    " explanation, idempotency_key, requested_at) values (%(b_id)s, %(b_municipality_id)s,"
    " %(b_event_id)s, %(b_group_id)s, %(b_unit_id)s, %(b_teacher_id)s,"
    " %(b_occurrence_ids)s::json, %(b_pupils)s, %(b_adults)s, %(b_wheelchair_places)s,"
    " %(b_wants_bus)s, %(b_note)s, %(b_status)s, %(b_explanation)s::json,"
    " %(b_idempotency_key)s, %(b_requested_at)s)) " + INSERT_OUTBOX
)
_JSON_COLUMNS = ("occurrence_ids", "explanation")


async def record(
    connection: AsyncConnection, booking: dict[str, Any], requested: Event, topic_prefix: str
) -> None:
    """The booking and its event in the caller's transaction: both are kept, or neither."""
    _, columns = outbox_columns([requested], topic_prefix)
    kept = {
        f"b_{name}": json.dumps(value) if name in _JSON_COLUMNS else value
        for name, value in booking.items()
    }
    kept["b_status"] = Status(booking["status"]).name
    await connection.exec_driver_sql(_RECORD, columns | kept)
