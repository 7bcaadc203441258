"""Bus mail: the teacher hears of her class's culture bus (where and when it picks them up, when
they are back), of a move, of a cancelled trip, or why there is none; the trip is a second entry
in her calendar, beside the visit's."""

from typing import Any
from uuid import UUID

from sqlalchemy import update

from kulturbro_contracts.envelope import Event
from kulturbro_contracts.transport import (
    BusScheduled,
    BusTrip,
    BusTripCancelled,
    BusTripChanged,
    BusUnavailable,
)
from kulturbro_runtime import HandlerTable, UnitOfWork
from kulturbro_runtime.consumer import NotYet
from notify.booking_mail import locked_booking, next_calendar, occurrence_rows
from notify.db import booking
from notify.mail_queue import occurrence_view, tell_teacher

WAITING_FOR_ANSWER = ("requested", "waitlisted")


async def _seated(uow: UnitOfWork, booking_id: UUID) -> Any | None:
    """The booking with seats, locked; None if it has none any more (nothing to tell). Transport
    plans only confirmed bookings, so a booking not yet confirmed here waits for its answer,
    which travels on another topic."""
    seated = await locked_booking(uow, booking_id)
    if seated.status in WAITING_FOR_ANSWER:
        raise NotYet(f"booking {booking_id} is not confirmed here yet")
    return seated if seated.status == "confirmed" else None


async def _visit(uow: UnitOfWork, seated: Any) -> dict[str, Any]:
    [listed] = await occurrence_rows(uow, [seated.occurrence_id])
    return occurrence_view(listed, starts_at=seated.starts_at, ends_at=seated.ends_at)


def _trip_view(trip: BusTrip) -> dict[str, Any]:
    return BusTrip.model_validate(trip.model_dump()).model_dump(mode="json")


async def _keep_told(uow: UnitOfWork, seated: Any, trip: dict[str, Any] | None) -> None:
    await uow.session.execute(
        update(booking).where(booking.c.booking_id == seated.booking_id).values(bus_trip=trip)
    )


async def _tell_of_trip(
    uow: UnitOfWork, message: Event, seated: Any, kind: str, trip: BusTrip, **more: Any
) -> None:
    """A mail with the calendar's visit and bus entries, the bus one version newer."""
    told = _trip_view(trip)
    context = {"occurrence": await _visit(uow, seated), "trip": told} | more
    context |= await next_calendar(uow, seated, False)
    context["calendar"]["bus"] = told
    await _keep_told(uow, seated, told)
    await tell_teacher(uow, seated, kind, message.event_id, context)


async def bus_scheduled(message: BusScheduled, uow: UnitOfWork) -> None:
    seated = await _seated(uow, message.payload.booking_id)
    if seated is not None:
        await _tell_of_trip(uow, message, seated, "bus_scheduled", message.payload)


async def bus_trip_changed(message: BusTripChanged, uow: UnitOfWork) -> None:
    changed = message.payload
    seated = await _seated(uow, changed.booking_id)
    if seated is None:
        return
    before = seated.bus_trip or {}
    previous = {
        "pickup_at": changed.previous_pickup_at.isoformat(),
        "return_at": changed.previous_return_at.isoformat(),
        "bus": before.get("bus", changed.bus),
    }
    await _tell_of_trip(uow, message, seated, "bus_trip_changed", changed, previous=previous)


async def bus_trip_cancelled(message: BusTripCancelled, uow: UnitOfWork) -> None:
    """Told only to a teacher whose calendar has the bus; the file removes that entry alone."""
    seated = await locked_booking(uow, message.payload.booking_id)
    if seated.bus_trip is None:
        return
    context: dict[str, Any] = {
        "occurrence": await _visit(uow, seated),
        "trip": seated.bus_trip,
        "reason": message.payload.reason.value,
    }
    context |= await next_calendar(uow, seated, True)
    context["calendar"]["bus"] = seated.bus_trip
    await _keep_told(uow, seated, None)
    await tell_teacher(uow, seated, "bus_trip_cancelled", message.event_id, context)


async def bus_unavailable(message: BusUnavailable, uow: UnitOfWork) -> None:
    unavailable = message.payload
    seated = await _seated(uow, unavailable.booking_id)
    if seated is None:
        return
    alternatives = await occurrence_rows(uow, unavailable.alternatives)
    context = {
        "occurrence": await _visit(uow, seated),
        "reason": unavailable.reason.value,
        "alternatives": sorted(
            (occurrence_view(o) for o in alternatives), key=lambda o: o["starts_at"]
        ),
    }
    await tell_teacher(uow, seated, "bus_unavailable", message.event_id, context)


BUS_MAIL: HandlerTable = {
    BusScheduled: [bus_scheduled],
    BusTripChanged: [bus_trip_changed],
    BusTripCancelled: [bus_trip_cancelled],
    BusUnavailable: [bus_unavailable],
}
