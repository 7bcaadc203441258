"""A local copy of the catalog: published events, their booking rules and occurrences."""

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, MetaData, String, Table, update
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.dialects.postgresql import insert

from kulturbro_contracts import (
    EventCancelled,
    EventPublished,
    OccurrenceCancelled,
    OccurrenceChanged,
    OccurrenceScheduled,
)
from kulturbro_contracts.catalog import EventChanged, Occurrence
from kulturbro_runtime import HandlerTable, UnitOfWork

metadata = MetaData()

event = Table(
    "replica_event",
    metadata,
    Column("event_id", PgUUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False, index=True),
    Column("organizer_id", PgUUID(as_uuid=True), nullable=False),
    Column("title", JSON, nullable=False),
    Column("target_groups", JSON, nullable=False),
    Column("max_group_size", Integer, nullable=False),
    Column("adults_per_group", Integer, nullable=False),
    Column("needed_occurrences", Integer, nullable=False),
    Column("booking_policy", String(20), nullable=False),
    Column("booking_opens_at", DateTime(timezone=True)),
    Column("booking_closes_at", DateTime(timezone=True)),
    Column("cancellation_deadline_days", Integer, nullable=False),
    Column("venue", JSON, nullable=False),
    Column("cancelled", Boolean, nullable=False, default=False),
)

occurrence = Table(
    "replica_occurrence",
    metadata,
    Column("occurrence_id", PgUUID(as_uuid=True), primary_key=True),
    Column("event_id", PgUUID(as_uuid=True), nullable=False, index=True),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("language", String(2), nullable=False),
    Column("cancelled", Boolean, nullable=False, default=False),
)


def create_catalog_replica() -> None:
    """For a service's migration: the replica tables in its own schema.

    Frozen DDL, not the tables above: a change to those is a new function here, called from a
    new migration of every service that keeps this copy."""
    import sqlalchemy as sa
    from alembic import op

    op.create_table(
        "replica_event",
        sa.Column("event_id", PgUUID(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("organizer_id", PgUUID(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("target_groups", sa.JSON(), nullable=False),
        sa.Column("max_group_size", sa.Integer(), nullable=False),
        sa.Column("adults_per_group", sa.Integer(), nullable=False),
        sa.Column("needed_occurrences", sa.Integer(), nullable=False),
        sa.Column("booking_policy", sa.String(20), nullable=False),
        sa.Column("booking_opens_at", sa.DateTime(timezone=True)),
        sa.Column("booking_closes_at", sa.DateTime(timezone=True)),
        sa.Column("cancellation_deadline_days", sa.Integer(), nullable=False),
        sa.Column("venue", sa.JSON(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="replica_event_pkey"),
    )
    op.create_index("ix_replica_event_municipality_id", "replica_event", ["municipality_id"])
    op.create_table(
        "replica_occurrence",
        sa.Column("occurrence_id", PgUUID(), nullable=False),
        sa.Column("event_id", PgUUID(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("occurrence_id", name="replica_occurrence_pkey"),
    )
    op.create_index("ix_replica_occurrence_event_id", "replica_occurrence", ["event_id"])


async def _keep_occurrence(uow: UnitOfWork, event_id: object, o: Occurrence) -> None:
    values = {
        "event_id": event_id,
        "starts_at": o.starts_at,
        "ends_at": o.ends_at,
        "capacity": o.capacity,
        "language": o.language.value,
        "cancelled": False,
    }
    await uow.session.execute(
        insert(occurrence)
        .values(occurrence_id=o.occurrence_id, **values)
        .on_conflict_do_update(index_elements=["occurrence_id"], set_=values)
    )


async def keep_event(message: EventPublished | EventChanged, uow: UnitOfWork) -> None:
    e = message.payload
    values = {
        "municipality_id": message.municipality_id,
        "organizer_id": e.organizer_id,
        "title": {k.value: v for k, v in e.title.items()},
        "target_groups": [t.value for t in e.target_groups],
        "max_group_size": e.max_group_size,
        "adults_per_group": e.adults_per_group,
        "needed_occurrences": e.needed_occurrences,
        "booking_policy": e.booking_policy.value,
        "booking_opens_at": e.booking_opens_at,
        "booking_closes_at": e.booking_closes_at,
        "venue": e.venue.model_dump(mode="json"),
        "cancellation_deadline_days": e.cancellation_deadline_days,
        "cancelled": False,
    }
    await uow.session.execute(
        insert(event)
        .values(event_id=e.event_id, **values)
        .on_conflict_do_update(index_elements=["event_id"], set_=values)
    )
    for o in e.occurrences:
        await _keep_occurrence(uow, e.event_id, o)
    # The snapshot leaves cancelled occurrences out.
    listed = [o.occurrence_id for o in e.occurrences]
    await uow.session.execute(
        update(occurrence)
        .where(occurrence.c.event_id == e.event_id, occurrence.c.occurrence_id.not_in(listed))
        .values(cancelled=True)
    )


async def keep_occurrence(
    message: OccurrenceScheduled | OccurrenceChanged, uow: UnitOfWork
) -> None:
    await _keep_occurrence(uow, message.payload.event_id, message.payload.occurrence)


async def cancel_occurrence(message: OccurrenceCancelled, uow: UnitOfWork) -> None:
    await uow.session.execute(
        update(occurrence)
        .where(occurrence.c.occurrence_id == message.payload.occurrence_id)
        .values(cancelled=True)
    )


async def cancel_event(message: EventCancelled, uow: UnitOfWork) -> None:
    event_id = message.payload.event_id
    await uow.session.execute(
        update(event).where(event.c.event_id == event_id).values(cancelled=True)
    )
    await uow.session.execute(
        update(occurrence).where(occurrence.c.event_id == event_id).values(cancelled=True)
    )


CATALOG_REPLICA: HandlerTable = {
    EventPublished: [keep_event],
    EventChanged: [keep_event],
    OccurrenceScheduled: [keep_occurrence],
    OccurrenceChanged: [keep_occurrence],
    OccurrenceCancelled: [cancel_occurrence],
    EventCancelled: [cancel_event],
}
