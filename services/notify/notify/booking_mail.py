"""Booking mail: every step of a teacher's booking reaches them, with a calendar file once seats
are theirs, updated or cancelled when the visit moves or is called off."""

from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from kulturbro_contracts import (
    BookingCancelled,
    BookingRejected,
    BookingRequested,
    BookingWaitlisted,
    EventCancelled,
    OccurrenceCancelled,
    OccurrenceChanged,
    SeatsAllocated,
)
from kulturbro_contracts.catalog import EventChanged
from kulturbro_contracts.envelope import Event
from kulturbro_replicas.catalog import occurrence
from kulturbro_runtime import HandlerTable, UnitOfWork
from kulturbro_runtime.calendar import booking_uid
from kulturbro_runtime.consumer import NotYet
from notify.db import booking, event_details
from notify.mail_queue import occurrence_view, tell_teacher


async def occurrence_rows(uow: UnitOfWork, ids: list[UUID]) -> list[Any]:
    """The occurrences, in the order asked; a booking or allocation can overtake the event's
    publication (they travel on different topics), so it waits for them."""
    rows = await uow.session.execute(select(occurrence).where(occurrence.c.occurrence_id.in_(ids)))
    by_id = {row.occurrence_id: row for row in rows}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise NotYet(f"occurrences {missing} have not arrived yet")
    return [by_id[i] for i in ids]


async def locked_booking(uow: UnitOfWork, booking_id: UUID) -> Any:
    """The booking, locked; an answer can overtake its request (they travel on two topics)."""
    row = (
        await uow.session.execute(
            select(booking).where(booking.c.booking_id == booking_id).with_for_update()
        )
    ).first()
    if row is None:
        raise NotYet(f"booking {booking_id} has not arrived yet")
    return row


async def _tell_teacher(
    uow: UnitOfWork, message: Event, seated: Any, kind: str, context: dict[str, Any]
) -> None:
    """The teacher hears of this message once, however often it is delivered."""
    await tell_teacher(uow, seated, kind, message.event_id, context)


async def next_calendar(uow: UnitOfWork, seated: Any, cancelled: bool) -> dict[str, Any]:
    """The calendar entry of this booking's visit, one version newer than the last one sent."""
    sequence = seated.calendar_sequence + 1
    await uow.session.execute(
        update(booking)
        .where(booking.c.booking_id == seated.booking_id)
        .values(calendar_sequence=sequence)
    )
    uid = booking_uid(seated.booking_id)
    return {"calendar": {"uid": uid, "sequence": sequence, "cancelled": cancelled}}


async def booking_requested(message: BookingRequested, uow: UnitOfWork) -> None:
    request = message.payload
    values = {
        "municipality_id": message.municipality_id, "event_id": request.event_id,
        "group_id": request.group_id, "unit_id": request.unit_id,
        "teacher_id": request.teacher_id,
        "occurrence_ids": [str(o) for o in request.occurrence_ids], "pupils": request.pupils,
        "adults": request.adults, "wants_bus": request.wants_bus, "status": "requested",
    }  # fmt: skip
    created = await uow.session.execute(
        insert(booking)
        .values(booking_id=request.booking_id, **values)
        .on_conflict_do_nothing()
        .returning(booking.c.booking_id)
    )
    if created.first() is None:
        return  # told already
    seated = await locked_booking(uow, request.booking_id)
    preferences = [occurrence_view(o) for o in await occurrence_rows(uow, request.occurrence_ids)]
    await _tell_teacher(uow, message, seated, "booking_received", {"booking": {
        "pupils": request.pupils, "adults": request.adults, "wants_bus": request.wants_bus,
        "occurrences": preferences}})  # fmt: skip


async def seats_allocated(message: SeatsAllocated, uow: UnitOfWork) -> None:
    allocation = message.payload
    seated = await locked_booking(uow, allocation.booking_id)
    [visit] = await occurrence_rows(uow, [allocation.occurrence_id])
    promoted = seated.status == "waitlisted"
    await uow.session.execute(
        update(booking)
        .where(booking.c.booking_id == allocation.booking_id)
        .values(status="confirmed", occurrence_id=allocation.occurrence_id,
                seats=allocation.seats, starts_at=visit.starts_at, ends_at=visit.ends_at,
                organizer_told=False)
    )  # fmt: skip
    context = {"occurrence": occurrence_view(visit), "seats": allocation.seats,
               "explanation": dict(allocation.explanation)}  # fmt: skip
    context |= await next_calendar(uow, seated, False)
    kind = "booking_promoted" if promoted else "booking_confirmed"
    await _tell_teacher(uow, message, seated, kind, context)


async def booking_waitlisted(message: BookingWaitlisted, uow: UnitOfWork) -> None:
    waiting = message.payload
    seated = await locked_booking(uow, waiting.booking_id)
    await uow.session.execute(
        update(booking)
        .where(booking.c.booking_id == waiting.booking_id)
        .values(status="waitlisted", organizer_told=False)
    )
    context = {"position": waiting.position, "explanation": dict(waiting.explanation)}
    await _tell_teacher(uow, message, seated, "booking_waitlisted", context)


async def booking_rejected(message: BookingRejected, uow: UnitOfWork) -> None:
    rejection = message.payload
    seated = await locked_booking(uow, rejection.booking_id)
    await uow.session.execute(
        update(booking)
        .where(booking.c.booking_id == rejection.booking_id)
        .values(status="rejected")
    )
    if rejection.reason == "occurrence_cancelled" and seated.occurrence_id is not None:
        return  # the cancelled occurrence's own mail tells them, with the calendar cancellation
    context = {"explanation": dict(rejection.explanation)}
    await _tell_teacher(uow, message, seated, "booking_rejected", context)


async def booking_cancelled(message: BookingCancelled, uow: UnitOfWork) -> None:
    seated = await locked_booking(uow, message.payload.booking_id)
    if seated.status == "cancelled":
        return
    await uow.session.execute(
        update(booking).where(booking.c.booking_id == seated.booking_id).values(status="cancelled")
    )
    context: dict[str, Any] = {"occurrence": None}
    if seated.status == "confirmed":
        visit = (
            await uow.session.execute(
                select(occurrence).where(occurrence.c.occurrence_id == seated.occurrence_id)
            )
        ).first()
        if visit is not None:
            context = {"occurrence": occurrence_view(visit)} | await next_calendar(
                uow, seated, True
            )
    await _tell_teacher(uow, message, seated, "booking_cancelled", context)


async def _seated_on(uow: UnitOfWork, *conditions: Any) -> list[Any]:
    """Bookings whose teacher has the visit in their calendar."""
    rows = await uow.session.execute(
        select(booking)
        .where(booking.c.occurrence_id.is_not(None), booking.c.status != "cancelled", *conditions)
        .with_for_update()
    )
    return list(rows)


async def occurrence_changed(message: OccurrenceChanged, uow: UnitOfWork) -> None:
    changed = message.payload.occurrence
    for seated in await _seated_on(uow, booking.c.occurrence_id == changed.occurrence_id):
        if (seated.starts_at, seated.ends_at) == (changed.starts_at, changed.ends_at):
            continue  # only the capacity or language changed: the teacher's day is the same
        occurrence_now = changed.model_dump(mode="json")
        previous = occurrence_now | {"starts_at": seated.starts_at.isoformat(),
                                     "ends_at": seated.ends_at.isoformat()}  # fmt: skip
        await uow.session.execute(
            update(booking)
            .where(booking.c.booking_id == seated.booking_id)
            # Reminded of the old time: reminded again before the new one.
            .values(starts_at=changed.starts_at, ends_at=changed.ends_at, reminded=False)
        )
        context = {"occurrence": occurrence_now, "previous": previous}
        context |= await next_calendar(uow, seated, False)
        await _tell_teacher(uow, message, seated, "occurrence_changed", context)


async def _called_off(uow: UnitOfWork, message: Event, seated: Any, reason: str) -> None:
    # Never deleted from the replica: a seated booking always finds its occurrence there.
    listed = (
        await uow.session.execute(
            select(occurrence).where(occurrence.c.occurrence_id == seated.occurrence_id)
        )
    ).one()
    # The visit as the teacher's calendar has it, whatever the catalog changed since.
    visit = occurrence_view(listed, starts_at=seated.starts_at, ends_at=seated.ends_at)
    context = {"occurrence": visit, "reason": reason} | await next_calendar(uow, seated, True)
    await _tell_teacher(uow, message, seated, "occurrence_cancelled", context)


# What of an event, when it changes, alters a booked teacher's day (a new text does not).
VISIT_FACTS = ("title", "venue")


async def event_changed(message: EventChanged, uow: UnitOfWork) -> None:
    """A new venue or title reaches the teachers with seats, with their calendar entry updated.
    Runs before notify's copy of the event takes the change: that copy is what they were told."""
    now = message.payload.model_dump(mode="json")
    told = await uow.session.scalar(
        select(event_details.c.details).where(event_details.c.event_id == message.payload.event_id)
    )
    if told is None:
        return  # published before notify kept copies: there is nothing to compare with
    changed = [fact for fact in VISIT_FACTS if told[fact] != now[fact]]
    if not changed:
        return
    seated_on = (booking.c.event_id == message.payload.event_id, booking.c.status == "confirmed")
    for seated in await _seated_on(uow, *seated_on):
        [listed] = await occurrence_rows(uow, [seated.occurrence_id])
        visit = occurrence_view(listed, starts_at=seated.starts_at, ends_at=seated.ends_at)
        context = {"occurrence": visit, "changed": changed,
                   "previous": {fact: told[fact] for fact in changed}}  # fmt: skip
        context |= await next_calendar(uow, seated, False)
        await _tell_teacher(uow, message, seated, "event_changed", context)


async def occurrence_cancelled(message: OccurrenceCancelled, uow: UnitOfWork) -> None:
    cancelled = message.payload
    for seated in await _seated_on(uow, booking.c.occurrence_id == cancelled.occurrence_id):
        await _called_off(uow, message, seated, cancelled.reason)


async def event_cancelled(message: EventCancelled, uow: UnitOfWork) -> None:
    cancelled = message.payload
    for seated in await _seated_on(uow, booking.c.event_id == cancelled.event_id):
        await _called_off(uow, message, seated, cancelled.reason)


BOOKING_MAIL: HandlerTable = {
    BookingRequested: [booking_requested],
    SeatsAllocated: [seats_allocated],
    BookingWaitlisted: [booking_waitlisted],
    BookingRejected: [booking_rejected],
    BookingCancelled: [booking_cancelled],
    OccurrenceChanged: [occurrence_changed],
    OccurrenceCancelled: [occurrence_cancelled],
    EventCancelled: [event_cancelled],
    EventChanged: [event_changed],
}
