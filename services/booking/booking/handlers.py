"""The booking service hears the allocation's decisions and keeps its replicas."""

from collections.abc import Mapping, Sequence

from sqlalchemy import Update, bindparam, update

from booking.db import OfferRecord, Status
from booking.domain import OfferState
from booking.requests import BOOKING
from kulturbro_contracts import (
    BookingRejected,
    BookingWaitlisted,
    OfferExpired,
    SeatsAllocated,
    SeatsOffered,
    SeatsReleased,
)
from kulturbro_contracts.allocation import OfferEnd
from kulturbro_contracts.vocabulary import Language
from kulturbro_replicas.catalog import CATALOG_REPLICA
from kulturbro_replicas.directory import DIRECTORY_REPLICA
from kulturbro_replicas.municipalities import MUNICIPALITY_REPLICA
from kulturbro_runtime import Batched, HandlerTable, UnitOfWork, merge_handlers

_NOT_CANCELLED = tuple(status for status in Status if status is not Status.CANCELLED)


def _deciding(from_statuses: Sequence[Status]) -> Update:
    """A decision written onto the booking in one statement, if the booking is in one of these
    statuses (a cancelled booking keeps saying so); the values to set are the parameters. No ORM
    object is loaded: a consumer's batch shares one session, which the ORM searched for changes
    before every read. Built once for each kind of decision, not for each decision."""
    return update(BOOKING).where(
        BOOKING.c.id == bindparam("booking_id"), BOOKING.c.status.in_(from_statuses)
    )


_CONFIRM = _deciding(_NOT_CANCELLED)
_WAITLIST = _deciding((Status.REQUESTED, Status.WAITLISTED))
_REJECT = _deciding(_NOT_CANCELLED)
_RELEASE = _deciding(tuple(Status))


async def _decided(uow: UnitOfWork, deciding: Update, decisions: list[dict[str, object]]) -> None:
    """A run of decisions of one kind in one call: psycopg sends them as a pipeline, one round
    trip, in the order they came (so each has the effect it had alone)."""
    await uow.session.execute(deciding, decisions)


def _explained(explanation: Mapping[Language, str]) -> dict[str, str]:
    return {language.value: said for language, said in explanation.items()}


async def confirm(events: Sequence[SeatsAllocated], uow: UnitOfWork) -> None:
    await _decided(
        uow,
        _CONFIRM,
        [
            {
                "booking_id": event.payload.booking_id,
                "status": Status.CONFIRMED,
                "occurrence_id": event.payload.occurrence_id,
                "waitlist_position": None,
                "explanation": _explained(event.payload.explanation),
            }
            for event in events
        ],
    )


async def waitlist(events: Sequence[BookingWaitlisted], uow: UnitOfWork) -> None:
    await _decided(
        uow,
        _WAITLIST,
        [
            {
                "booking_id": event.payload.booking_id,
                "status": Status.WAITLISTED,
                "waitlist_position": event.payload.position,
                "explanation": _explained(event.payload.explanation),
            }
            for event in events
        ],
    )


async def reject(events: Sequence[BookingRejected], uow: UnitOfWork) -> None:
    await _decided(
        uow,
        _REJECT,
        [
            {
                "booking_id": event.payload.booking_id,
                "status": Status.REJECTED,
                "waitlist_position": None,
                "explanation": _explained(event.payload.explanation),
            }
            for event in events
        ],
    )


async def released(events: Sequence[SeatsReleased], uow: UnitOfWork) -> None:
    await _decided(
        uow,
        _RELEASE,
        [{"booking_id": event.payload.booking_id, "occurrence_id": None} for event in events],
    )


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
        SeatsAllocated: [Batched(confirm)],
        BookingWaitlisted: [Batched(waitlist)],
        BookingRejected: [Batched(reject)],
        SeatsReleased: [Batched(released)],
        SeatsOffered: [keep_offer],
        OfferExpired: [end_offer],
    },
)
