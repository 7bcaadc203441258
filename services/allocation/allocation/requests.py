"""The booking requests the allocation keeps: stored as they arrive, a run of them at a time."""

from collections.abc import Collection, Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping

from allocation.db import seat_request
from kulturbro_contracts import BookingRequested
from kulturbro_replicas import directory
from kulturbro_runtime import UnitOfWork

_KEEP = insert(seat_request).on_conflict_do_nothing().returning(*seat_request.c)


async def districts_of(uow: UnitOfWork, unit_ids: Collection[UUID]) -> dict[UUID, str | None]:
    """The district of each school, as the directory's copy has it."""
    rows = await uow.session.execute(
        select(directory.unit.c.unit_id, directory.unit.c.district).where(
            directory.unit.c.unit_id.in_(unit_ids)
        )
    )
    return {unit_id: district for unit_id, district in rows.all()}


async def keep_requests(
    uow: UnitOfWork, requests: Sequence[tuple[BookingRequested, str | None]]
) -> dict[UUID, RowMapping]:
    """Each request with its school's district, pending; one already kept stays as it is.
    Returns the rows of those kept now."""
    connection = await uow.session.connection()
    kept = await connection.execute(
        _KEEP,
        [
            {
                "booking_id": message.payload.booking_id,
                "municipality_id": message.municipality_id,
                "event_id": message.payload.event_id,
                "group_id": message.payload.group_id,
                "unit_id": message.payload.unit_id,
                "teacher_id": message.payload.teacher_id,
                "district": district,
                "pupils": message.payload.pupils,
                "adults": message.payload.adults,
                "occurrence_ids": [str(o) for o in message.payload.occurrence_ids],
                "requested_at": message.occurred_at,
                "status": "pending",
            }
            for message, district in requests
        ],
    )
    return {row["booking_id"]: row for row in kept.mappings()}


async def requests_by_id(uow: UnitOfWork, booking_ids: Collection[UUID]) -> dict[UUID, RowMapping]:
    rows = await uow.session.execute(
        select(seat_request).where(seat_request.c.booking_id.in_(booking_ids))
    )
    return {row["booking_id"]: row for row in rows.mappings()}
