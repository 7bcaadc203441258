"""The booking service hears the allocation's decisions and keeps its replicas."""

from uuid import UUID

from booking.db import Booking, OfferRecord, Status
from booking.domain import OfferState
from kulturbro_contracts import (
    BookingRejected,
    BookingWaitlisted,
    OfferExpired,
    SeatsAllocated,
    SeatsOffered,
    SeatsReleased,
)
from kulturbro_contracts.allocation import OfferEnd
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


async def keep_offer(event: SeatsOffered, uow: UnitOfWork) -> None:
    """Held-back seats offered to a group: its teachers may accept them until the deadline."""
    offered = event.payload
    if await uow.session.get(OfferRecord, offered.offer_id) is not None:
        return
    uow.session.add(
        OfferRecord(
            offer_id=offered.offer_id,
            municipality_id=event.municipality_id,
            event_id=offered.event_id,
            occurrence_id=offered.occurrence_id,
            group_id=offered.group_id,
            unit_id=offered.unit_id,
            pupils=offered.pupils,
            adults=offered.adults,
            deadline=offered.deadline,
            explanation={k.value: v for k, v in offered.explanation.items()},
        )
    )


async def end_offer(event: OfferExpired, uow: UnitOfWork) -> None:
    offered = await uow.session.get(OfferRecord, event.payload.offer_id, with_for_update=True)
    if offered is not None and offered.state is OfferState.OPEN:
        released = event.payload.reason is OfferEnd.RELEASED
        offered.state = OfferState.EXPIRED if released else OfferState.WITHDRAWN
        offered.explanation = {k.value: v for k, v in event.payload.explanation.items()}


HANDLERS: HandlerTable = merge_handlers(
    DIRECTORY_REPLICA,
    MUNICIPALITY_REPLICA,
    CATALOG_REPLICA,
    {
        SeatsAllocated: [confirm],
        BookingWaitlisted: [waitlist],
        BookingRejected: [reject],
        SeatsReleased: [released],
        SeatsOffered: [keep_offer],
        OfferExpired: [end_offer],
    },
)
