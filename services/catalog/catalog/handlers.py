"""What the catalog does with the events it hears: local copies of groups and their teachers, and
the seats the allocation has given out."""

from collections.abc import Sequence

from sqlalchemy import Integer, Update, bindparam, func, select, update

from catalog import db
from kulturbro_contracts import SeatsAllocated, SeatsReleased
from kulturbro_replicas.directory import DIRECTORY_REPLICA
from kulturbro_runtime import Batched, HandlerTable, UnitOfWork, merge_handlers


def _counting() -> Update:
    """Seats given out (or back) on an occurrence of an event in the municipality; built once,
    as it runs for every booking decided."""
    in_this_municipality = select(db.event.c.id).where(
        db.event.c.id == bindparam("of_event"),
        db.event.c.municipality_id == bindparam("in_municipality"),
    )
    change = bindparam("change", type_=Integer)
    return (
        update(db.occurrence)
        .where(
            db.occurrence.c.id == bindparam("of_occurrence"),
            db.occurrence.c.event_id == in_this_municipality.scalar_subquery(),
        )
        .values(booked_seats=func.greatest(db.occurrence.c.booked_seats + change, 0))
    )


_COUNT = _counting()


async def count_booked_seats(
    events: Sequence[SeatsAllocated] | Sequence[SeatsReleased], uow: UnitOfWork
) -> None:
    """A run of seats given out (or back) in one call: psycopg sends the updates as a pipeline,
    in the order they came."""
    await uow.session.execute(
        _COUNT,
        [
            {
                "of_event": event.payload.event_id,
                "in_municipality": event.municipality_id,
                "of_occurrence": event.payload.occurrence_id,
                "change": event.payload.seats
                if isinstance(event, SeatsAllocated)
                else -event.payload.seats,
            }
            for event in events
        ],
    )


HANDLERS: HandlerTable = merge_handlers(
    DIRECTORY_REPLICA,
    {SeatsAllocated: [Batched(count_booked_seats)], SeatsReleased: [Batched(count_booked_seats)]},
)
