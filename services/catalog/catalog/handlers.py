"""What the catalog does with the events it hears: local copies of groups and their teachers, and
the seats the allocation has given out."""

from sqlalchemy import func, select, update

from catalog import db
from kulturbro_contracts import SeatsAllocated, SeatsReleased
from kulturbro_replicas.directory import DIRECTORY_REPLICA
from kulturbro_runtime import HandlerTable, UnitOfWork, merge_handlers


async def count_booked_seats(event: SeatsAllocated | SeatsReleased, uow: UnitOfWork) -> None:
    seats = event.payload
    change = seats.seats if isinstance(event, SeatsAllocated) else -seats.seats
    in_this_municipality = select(db.event.c.id).where(
        db.event.c.id == seats.event_id, db.event.c.municipality_id == event.municipality_id
    )
    await uow.session.execute(
        update(db.occurrence)
        .where(
            db.occurrence.c.id == seats.occurrence_id,
            db.occurrence.c.event_id == in_this_municipality.scalar_subquery(),
        )
        .values(booked_seats=func.greatest(db.occurrence.c.booked_seats + change, 0))
    )


HANDLERS: HandlerTable = merge_handlers(
    DIRECTORY_REPLICA,
    {SeatsAllocated: [count_booked_seats], SeatsReleased: [count_booked_seats]},
)
