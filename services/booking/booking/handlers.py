"""The booking service hears the allocation's decisions and keeps its replicas."""

from uuid import UUID

from booking.db import Booking, Status
from kulturbro_contracts import BookingRejected, BookingWaitlisted, SeatsAllocated, SeatsReleased
from kulturbro_replicas.catalog import CATALOG_REPLICA
from kulturbro_replicas.directory import DIRECTORY_REPLICA
from kulturbro_replicas.municipalities import MUNICIPALITY_REPLICA
from kulturbro_runtime import HandlerTable, UnitOfWork, merge_handlers


async def _booking(uow: UnitOfWork, booking_id: UUID) -> Booking | None:
    booking: Booking | None = await uow.session.get(Booking, booking_id, with_for_update=True)
    return booking


async def confirm(event: SeatsAllocated, uow: UnitOfWork) -> None:
    booking = await _booking(uow, event.payload.booking_id)
    if booking is not None and booking.status != Status.CANCELLED:
        booking.status, booking.occurrence_id = Status.CONFIRMED, event.payload.occurrence_id
        booking.waitlist_position = None
        booking.explanation = {k.value: v for k, v in event.payload.explanation.items()}


async def waitlist(event: BookingWaitlisted, uow: UnitOfWork) -> None:
    booking = await _booking(uow, event.payload.booking_id)
    if booking is not None and booking.status in (Status.REQUESTED, Status.WAITLISTED):
        booking.status, booking.waitlist_position = Status.WAITLISTED, event.payload.position
        booking.explanation = {k.value: v for k, v in event.payload.explanation.items()}


async def reject(event: BookingRejected, uow: UnitOfWork) -> None:
    booking = await _booking(uow, event.payload.booking_id)
    if booking is not None and booking.status != Status.CANCELLED:
        booking.status, booking.waitlist_position = Status.REJECTED, None
        booking.explanation = {k.value: v for k, v in event.payload.explanation.items()}


async def released(event: SeatsReleased, uow: UnitOfWork) -> None:
    booking = await _booking(uow, event.payload.booking_id)
    if booking is not None:
        booking.occurrence_id = None


HANDLERS: HandlerTable = merge_handlers(
    DIRECTORY_REPLICA,
    MUNICIPALITY_REPLICA,
    CATALOG_REPLICA,
    {
        SeatsAllocated: [confirm],
        BookingWaitlisted: [waitlist],
        BookingRejected: [reject],
        SeatsReleased: [released],
    },
)
