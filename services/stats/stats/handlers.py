"""What the statistics service does with the events it hears: every projection in one table.

Each handler writes through the projections' repositories only; the runtime's inbox makes a
redelivered event change nothing. After each event the municipality's figures are as fresh as the
fact, and the projection lag (from the fact to its projection) is measured for /metrics.
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Histogram

from kulturbro_contracts import (
    BookingCancelled,
    BookingRejected,
    BookingRequested,
    BookingWaitlisted,
    Event,
    EventCancelled,
    EventPublished,
    GroupRegistered,
    GroupRemoved,
    GroupUpdated,
    OccurrenceCancelled,
    OccurrenceChanged,
    OccurrenceScheduled,
    SchoolRegistered,
    SchoolUpdated,
    SeatsAllocated,
    SeatsReleased,
)
from kulturbro_contracts.booking import AttendanceRecorded, EvaluationSubmitted
from kulturbro_contracts.catalog import EventChanged, OrganizerRegistered
from kulturbro_contracts.directory import MunicipalityRegistered, MunicipalityUpdated, SchoolRemoved
from kulturbro_contracts.transport import (
    BusScheduled,
    BusTripCancelled,
    BusTripChanged,
    BusUnavailable,
)
from kulturbro_runtime import HandlerTable, UnitOfWork
from stats.projections import Projections, SqlProjections

projection_lag = Histogram(
    "kulturbro_stats_projection_lag_seconds",
    "From when a fact happened to when the statistics hold it",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, float("inf")),
)

Projection = Callable[[Any, Projections], Awaitable[None]]


async def save_municipality(
    event: MunicipalityRegistered | MunicipalityUpdated, uow: Projections
) -> None:
    await uow.directory.save_municipality(event.municipality_id, event.payload)


async def save_school(event: SchoolRegistered | SchoolUpdated, uow: Projections) -> None:
    await uow.directory.save_school(event.municipality_id, event.payload)


async def remove_school(event: SchoolRemoved, uow: Projections) -> None:
    await uow.directory.remove_school(event.municipality_id, event.payload.unit_id)


async def save_group(event: GroupRegistered | GroupUpdated, uow: Projections) -> None:
    await uow.directory.save_group(event.municipality_id, event.payload)


async def remove_group(event: GroupRemoved, uow: Projections) -> None:
    await uow.directory.remove_group(event.municipality_id, event.payload.group_id)


async def save_organizer(event: OrganizerRegistered, uow: Projections) -> None:
    await uow.offering.save_organizer(event.payload.organizer_id, event.payload.name)


async def save_event(event: EventPublished | EventChanged, uow: Projections) -> None:
    await uow.offering.save_event(event.municipality_id, event.payload)


async def save_occurrence(event: OccurrenceScheduled | OccurrenceChanged, uow: Projections) -> None:
    scheduled = event.payload
    await uow.offering.save_occurrence(
        event.municipality_id, scheduled.event_id, scheduled.occurrence
    )


async def cancel_occurrence(event: OccurrenceCancelled, uow: Projections) -> None:
    await uow.offering.cancel_occurrence(event.municipality_id, event.payload.occurrence_id)


async def cancel_event(event: EventCancelled, uow: Projections) -> None:
    await uow.offering.cancel_event(event.municipality_id, event.payload.event_id)


async def booking_requested(event: BookingRequested, uow: Projections) -> None:
    await uow.bookings.requested(event.municipality_id, event.payload)


async def seats_allocated(event: SeatsAllocated, uow: Projections) -> None:
    await uow.bookings.allocated(event.municipality_id, event.payload)


async def seats_released(event: SeatsReleased, uow: Projections) -> None:
    await uow.bookings.released(event.municipality_id, event.payload)


async def booking_waitlisted(event: BookingWaitlisted, uow: Projections) -> None:
    waitlisting = event.payload
    await uow.bookings.waitlisted(
        event.municipality_id, waitlisting.event_id, waitlisting.booking_id
    )


async def booking_rejected(event: BookingRejected, uow: Projections) -> None:
    rejection = event.payload
    await uow.bookings.rejected(event.municipality_id, rejection.event_id, rejection.booking_id)


async def booking_cancelled(event: BookingCancelled, uow: Projections) -> None:
    cancellation = event.payload
    await uow.bookings.cancelled(
        event.municipality_id, cancellation.event_id, cancellation.booking_id
    )


async def attendance_recorded(event: AttendanceRecorded, uow: Projections) -> None:
    await uow.bookings.attended(event.municipality_id, event.payload)


async def bus_planned(event: BusScheduled | BusTripChanged, uow: Projections) -> None:
    trip = event.payload
    await uow.bookings.bus(event.municipality_id, trip.event_id, trip.booking_id, scheduled=True)


async def no_bus(event: BusUnavailable | BusTripCancelled, uow: Projections) -> None:
    trip = event.payload
    await uow.bookings.bus(event.municipality_id, trip.event_id, trip.booking_id, scheduled=False)


async def evaluation_submitted(event: EvaluationSubmitted, uow: Projections) -> None:
    await uow.evaluations.save(event.municipality_id, event.payload)


PROJECTIONS: dict[type[Event], Projection] = {
    MunicipalityRegistered: save_municipality,
    MunicipalityUpdated: save_municipality,
    SchoolRegistered: save_school,
    SchoolUpdated: save_school,
    SchoolRemoved: remove_school,
    GroupRegistered: save_group,
    GroupUpdated: save_group,
    GroupRemoved: remove_group,
    OrganizerRegistered: save_organizer,
    EventPublished: save_event,
    EventChanged: save_event,
    OccurrenceScheduled: save_occurrence,
    OccurrenceChanged: save_occurrence,
    OccurrenceCancelled: cancel_occurrence,
    EventCancelled: cancel_event,
    BookingRequested: booking_requested,
    SeatsAllocated: seats_allocated,
    SeatsReleased: seats_released,
    BookingWaitlisted: booking_waitlisted,
    BookingRejected: booking_rejected,
    BookingCancelled: booking_cancelled,
    EvaluationSubmitted: evaluation_submitted,
    AttendanceRecorded: attendance_recorded,
    BusScheduled: bus_planned,
    BusTripChanged: bus_planned,
    BusUnavailable: no_bus,
    BusTripCancelled: no_bus,
}


async def project(event: Event, uow: Projections, now: datetime) -> None:
    """One event into its projection, and the municipality's figures are as fresh as it."""
    await PROJECTIONS[type(event)](event, uow)
    await uow.freshness.applied(event.municipality_id, event.occurred_at)
    projection_lag.observe(max((now - event.occurred_at).total_seconds(), 0.0))


async def _in_postgres(event: Event, uow: UnitOfWork) -> None:
    await project(event, SqlProjections(uow.session), datetime.now(UTC))


HANDLERS: HandlerTable = {event_type: [_in_postgres] for event_type in PROJECTIONS}
