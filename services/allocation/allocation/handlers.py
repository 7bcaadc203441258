"""What the allocation does with what it hears: seat pools from the catalog, requests and
cancellations from booking; every request decided, every decision explained."""

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from allocation.db import allocation_event, seat_pool, seat_request
from allocation.domain import Decision
from allocation.ledger import Ledger, as_request, open_ledger, record, record_all, release
from allocation.outreach import decide_with_offer, groups_with_open_offers, withdraw_offers_on
from allocation.requests import districts_of, keep_requests, requests_by_id
from kulturbro_contracts import (
    BookingCancelled,
    BookingRejected,
    BookingRequested,
    EventCancelled,
    EventPublished,
    OccurrenceCancelled,
    OccurrenceChanged,
    OccurrenceScheduled,
)
from kulturbro_contracts.allocation import Rejection
from kulturbro_contracts.catalog import EventChanged, Occurrence
from kulturbro_contracts.vocabulary import BookingPolicy, Language
from kulturbro_replicas import catalog
from kulturbro_replicas.catalog import CATALOG_REPLICA
from kulturbro_replicas.directory import DIRECTORY_REPLICA
from kulturbro_replicas.municipalities import MUNICIPALITY_REPLICA
from kulturbro_runtime import Batched, HandlerTable, NotYet, UnitOfWork, merge_handlers

CANCELLED_BY_ORGANIZER = {
    Language.SV: "Arrangören har ställt in föreställningen. Välj gärna ett annat tillfälle.",
    Language.FI: "Järjestäjä on perunut esityksen. Valitse mielellään toinen esitysaika.",
    Language.EN: "The organizer has cancelled the performance. Please choose another occasion.",
}


async def _keep_pool(uow: UnitOfWork, event_id: UUID, occurrence: Occurrence) -> None:
    await uow.session.execute(
        insert(seat_pool)
        .values(
            occurrence_id=occurrence.occurrence_id, event_id=event_id, capacity=occurrence.capacity
        )
        .on_conflict_do_update(
            index_elements=["occurrence_id"],
            # Never below the seats already confirmed: those groups keep their places.
            set_={"capacity": func.greatest(occurrence.capacity, seat_pool.c.confirmed)},
        )
    )


async def keep_event(message: EventPublished | EventChanged, uow: UnitOfWork) -> None:
    event = message.payload
    settings = {
        "policy": event.booking_policy.value,
        "held_back_share": event.held_back_share,
        "held_back_release_on": event.held_back_release_on,
        "quota_release_on": event.quota_release_on,
    }
    await uow.session.execute(
        insert(allocation_event)
        .values(
            event_id=event.event_id,
            municipality_id=message.municipality_id,
            seed=secrets.randbits(62),
            **settings,
        )
        .on_conflict_do_update(index_elements=["event_id"], set_=settings)
    )
    for occurrence in event.occurrences:
        await _keep_pool(uow, event.event_id, occurrence)


async def keep_occurrence(
    message: OccurrenceScheduled | OccurrenceChanged, uow: UnitOfWork
) -> None:
    await _keep_pool(uow, message.payload.event_id, message.payload.occurrence)


async def cancel_occurrences(
    message: OccurrenceCancelled | EventCancelled, uow: UnitOfWork
) -> None:
    """The organizer cancelled: every group seated on what was cancelled, or waiting only for
    what was cancelled, is told, and the seats go. (The catalog replica has marked them first.)"""
    event_id = message.payload.event_id
    ledger = await open_ledger(uow, event_id)
    if ledger is None:
        return
    uow.cache.pop(("ledger", event_id), None)  # the seating changes under it here
    cancelled = {
        str(occurrence_id)
        for occurrence_id in await uow.session.scalars(
            select(catalog.occurrence.c.occurrence_id).where(
                catalog.occurrence.c.event_id == event_id, catalog.occurrence.c.cancelled
            )
        )
    }
    active = await uow.session.execute(
        select(seat_request).where(
            seat_request.c.event_id == event_id,
            seat_request.c.status.in_(("confirmed", "waitlisted", "pending")),
        )
    )
    await withdraw_offers_on(uow, ledger, {UUID(o) for o in cancelled})
    for booking in active.mappings().all():
        seated_on_cancelled = str(booking["occurrence_id"]) in cancelled
        nothing_left = set(booking["occurrence_ids"]) <= cancelled
        if not (seated_on_cancelled if booking["status"] == "confirmed" else nothing_left):
            continue
        if booking["status"] == "confirmed":
            await release(uow, ledger, booking, "rejected")
        await uow.session.execute(
            update(seat_request)
            .where(seat_request.c.booking_id == booking["booking_id"])
            .values(status="rejected", reason="occurrence_cancelled", decided_at=datetime.now(UTC))
        )
        await uow.publish(
            BookingRejected(
                municipality_id=ledger.municipality_id,
                payload=Rejection(
                    booking_id=booking["booking_id"],
                    event_id=event_id,
                    reason="occurrence_cancelled",
                    explanation=CANCELLED_BY_ORGANIZER,
                ),
            )
        )


async def decide_requests(messages: Sequence[BookingRequested], uow: UnitOfWork) -> None:
    """Requests in the order they arrived, kept, and each decided at once where its event is
    instant or already drawn (else the draw decides it when the window closes). However many
    there are, each event's ledger is opened once and the requests are kept, and their
    decisions written, in a few statements."""
    districts = await districts_of(uow, {m.payload.unit_id for m in messages})
    rows = await keep_requests(uow, [(m, districts.get(m.payload.unit_id)) for m in messages])
    ledgers: dict[UUID, Ledger] = {}
    for event_id in dict.fromkeys(m.payload.event_id for m in messages):
        ledger = await open_ledger(uow, event_id)
        if ledger is None:
            raise NotYet(f"event {event_id} has not reached the allocation yet")
        ledgers[event_id] = ledger
    deciding = [
        m
        for m in messages
        if ledgers[m.payload.event_id].policy is BookingPolicy.INSTANT
        or ledgers[m.payload.event_id].drawn
    ]
    if not deciding:
        return
    kept_before = [m.payload.booking_id for m in deciding if m.payload.booking_id not in rows]
    if kept_before:  # redelivered with another event id: decided once, if not already
        rows |= await requests_by_id(uow, kept_before)
    offered = {
        event_id: await groups_with_open_offers(uow, event_id)
        for event_id, ledger in ledgers.items()
        if ledger.drawn
    }
    decided: dict[UUID, tuple[list[Decision], list[BookingRequested]]] = {}
    for message in deciding:
        request = message.payload
        row = rows.pop(request.booking_id, None)
        if row is None or row["status"] != "pending":
            continue  # decided already: a redelivery (or twice in this run)
        ledger = ledgers[request.event_id]
        decisions, causes = decided.setdefault(request.event_id, ([], []))
        if row["group_id"] in offered.get(request.event_id, ()):
            # The group's answer to its offer may change the seating: decided in its turn alone.
            await record_all(uow, ledger, decisions, causes)
            decisions.clear()
            causes.clear()
            await decide_with_offer(uow, ledger, row, request.offer_id, message.occurred_at)
            continue
        decisions.append(ledger.seating.request(as_request(row)))
        causes.append(message)
    for event_id, (decisions, causes) in decided.items():
        await record_all(uow, ledgers[event_id], decisions, causes)


async def cancel_request(message: BookingCancelled, uow: UnitOfWork) -> None:
    booking_id = message.payload.booking_id
    ledger = await open_ledger(uow, message.payload.event_id)
    booking = (
        (
            await uow.session.execute(
                select(seat_request)
                .where(seat_request.c.booking_id == booking_id)
                .with_for_update()
            )
        )
        .mappings()
        .first()
    )
    if ledger is None or booking is None or booking["status"] in ("cancelled", "rejected"):
        return
    # The decision no longer holds: the booking explains itself as cancelled from now on.
    explained = message.payload.explanation or {}
    await uow.session.execute(
        update(seat_request)
        .where(seat_request.c.booking_id == booking_id)
        .values(explanation={language.value: said for language, said in explained.items()})
    )
    if booking["status"] == "pending":
        await uow.session.execute(
            update(seat_request)
            .where(seat_request.c.booking_id == booking_id)
            .values(status="cancelled")
        )
        return
    promotions = ledger.seating.cancel(booking_id, at=datetime.now(UTC))
    if booking["status"] == "confirmed":
        await release(uow, ledger, booking, "cancelled")
    else:
        await uow.session.execute(
            update(seat_request)
            .where(seat_request.c.booking_id == booking_id)
            .values(status="cancelled")
        )
    for promotion in promotions:
        await record(uow, ledger, promotion)


HANDLERS: HandlerTable = merge_handlers(
    DIRECTORY_REPLICA,
    CATALOG_REPLICA,
    MUNICIPALITY_REPLICA,
    {
        EventPublished: [keep_event],
        EventChanged: [keep_event],
        OccurrenceScheduled: [keep_occurrence],
        OccurrenceChanged: [keep_occurrence],
        OccurrenceCancelled: [cancel_occurrences],
        EventCancelled: [cancel_occurrences],
        BookingRequested: [Batched(decide_requests)],
        BookingCancelled: [cancel_request],
    },
)
