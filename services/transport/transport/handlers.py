"""What transport does with what it hears: local copies of fleets, schools and occurrences;
every confirmed booking that wants the bus planned with the rest of its day, and every class told
of its bus, of a change to it, or of why it has none."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from kulturbro_contracts import (
    BookingCancelled,
    BookingRequested,
    BusScheduled,
    BusTripCancelled,
    BusTripChanged,
    BusUnavailable,
    EventCancelled,
    OccurrenceCancelled,
    SchoolRegistered,
    SchoolUpdated,
    SeatsAllocated,
)
from kulturbro_contracts.directory import MunicipalityRegistered, MunicipalityUpdated
from kulturbro_contracts.transport import (
    BusTrip,
    CancelledBecause,
    ChangedBusTrip,
    NoBusReason,
    TripCancellation,
    Unavailability,
)
from kulturbro_replicas.catalog import CATALOG_REPLICA
from kulturbro_replicas.municipalities import MUNICIPALITY_REPLICA
from kulturbro_runtime import Handler, HandlerTable, NotYet, UnitOfWork, merge_handlers
from transport.domain import (
    BusRules,
    ClassTrip,
    Day,
    DayPlan,
    GroupBooking,
    GroupYear,
    Refusal,
    Travel,
    days_to_plan_again,
    keep_placements,
    move_class,
    places_of,
    plan_day,
    school_year,
)
from transport.fixes import Fix, FixCode, in_words, reason_fix
from transport.plans import DayPlanPublic, Site, domain_plan, public_plan
from transport.records import BookingStatus, BusBooking, OccurrenceAt, Placement, School, Told
from transport.repositories import SqlWork
from transport.work import Work

log = logging.getLogger(__name__)


async def keep_fleet(event: MunicipalityRegistered | MunicipalityUpdated, work: Work) -> None:
    await work.directory.keep_fleet(event.municipality_id, list(event.payload.bus_fleet))


async def keep_school(event: SchoolRegistered | SchoolUpdated, work: Work) -> None:
    await work.directory.keep_school(event.municipality_id, event.payload)


async def note_request(event: BookingRequested, work: Work) -> None:
    """Every request is kept, bus or not: its allocation arrives on another topic."""
    r = event.payload
    await work.bookings.add(
        BusBooking(
            booking_id=r.booking_id,
            municipality_id=event.municipality_id,
            event_id=r.event_id,
            unit_id=r.unit_id,
            teacher_id=r.teacher_id,
            pupils=r.pupils,
            adults=r.adults,
            wheelchair_places=r.wheelchair_places,
            wants_bus=r.wants_bus,
            requested_at=event.occurred_at,
            group_id=r.group_id,
        )
    )


async def plan_confirmed(event: SeatsAllocated, work: Work) -> None:
    seats = event.payload
    booking = await work.bookings.get(seats.booking_id)
    if booking is None:
        raise NotYet(f"booking {seats.booking_id} has not reached transport yet")
    if not booking.wants_bus or booking.status is BookingStatus.CANCELLED:
        return
    if booking.status is BookingStatus.CONFIRMED and booking.occurrence_id == seats.occurrence_id:
        return  # heard before: planned already
    occurrence = await work.catalog.occurrence(seats.occurrence_id)
    if occurrence is None:
        raise NotYet(f"occurrence {seats.occurrence_id} has not reached transport yet")
    zone = await work.directory.zone(event.municipality_id)
    moved_from = booking.day if booking.status is BookingStatus.CONFIRMED else None
    booking.status = BookingStatus.CONFIRMED
    booking.occurrence_id = occurrence.occurrence_id
    booking.day = occurrence.starts_at.astimezone(zone).date()
    await work.bookings.save(booking)
    freed = []
    if moved_from is not None and school_year(moved_from) != school_year(booking.day):
        # The trip it held is that school year's no more: the group's other bookings may have it.
        held = await work.yearly_trips.release(booking.booking_id)
        freed += [held] if held else []
    for day in sorted(d for d in {booking.day, moved_from} if d is not None):
        freed += await replan(work, event.municipality_id, day, now=event.occurred_at)
    await plan_freed(work, event.municipality_id, freed, now=event.occurred_at)


async def cancel_booking(event: BookingCancelled, work: Work) -> None:
    booking = await work.bookings.get(event.payload.booking_id)
    if booking is None or booking.status is BookingStatus.CANCELLED:
        return
    day, freed = await _cancel(work, booking, CancelledBecause.BOOKING_CANCELLED)
    if day is not None:
        freed += await replan(work, event.municipality_id, day, now=event.occurred_at)
    await plan_freed(work, event.municipality_id, freed, now=event.occurred_at)


async def cancel_occurrences(event: OccurrenceCancelled | EventCancelled, work: Work) -> None:
    """The organizer cancelled: the buses to what was cancelled go. (The catalog replica has
    marked the occurrences first.)"""
    if isinstance(event, OccurrenceCancelled):
        cancelled = [event.payload.occurrence_id]
    else:
        its = await work.catalog.occurrences_of(event.payload.event_id)
        cancelled = [o.occurrence_id for o in its]
    days: set[date] = set()
    freed: list[GroupYear] = []
    for booking in await work.bookings.on_occurrences(cancelled):
        if booking.status is not BookingStatus.CANCELLED:
            day, held = await _cancel(work, booking, CancelledBecause.OCCURRENCE_CANCELLED)
            freed += held
            if day is not None:
                days.add(day)
    for day in sorted(days):
        freed += await replan(work, event.municipality_id, day, now=event.occurred_at)
    await plan_freed(work, event.municipality_id, freed, now=event.occurred_at)


async def _cancel(
    work: Work, booking: BusBooking, reason: CancelledBecause
) -> tuple[date | None, list[GroupYear]]:
    """Cancels the booking's trip, if it had one: the day to plan again, if any, and the
    group's trip of a school year the booking held, if it held one."""
    day = booking.day if booking.status is BookingStatus.CONFIRMED and booking.wants_bus else None
    if booking.told is not None and booking.told.trip is not None:
        await _cancel_told(work, booking, booking.told.trip, reason)
    booking.status, booking.told = BookingStatus.CANCELLED, None
    await work.bookings.save(booking)
    held = await work.yearly_trips.release(booking.booking_id)
    return day, [held] if held else []


async def plan_freed(
    work: Work, municipality_id: str, freed: list[GroupYear], *, now: datetime
) -> None:
    """A group's trip of a school year was freed (its booking or occurrence cancelled, or the
    trip gone from a new plan): the days of the group's bookings refused a bus for having had
    that trip are planned again, so that one of them may have it. Trips those plans free in turn
    are followed the same way, each day planned again at most once, so the chain ends."""
    if not freed:
        return
    today = now.astimezone(await work.directory.zone(municipality_id)).date()
    planned: set[date] = set()
    while freed:
        bookings = await work.bookings.of_groups(
            municipality_id, sorted({held.group_id for held in freed})
        )
        waiting = [
            GroupBooking(b.group_id, b.day, b.told.reason if b.told else None)
            for b in bookings
            if b.group_id is not None and b.day is not None
        ]
        days = days_to_plan_again(set(freed), waiting, today, planned)
        freed = []
        for day in days:
            planned.add(day)
            freed += await replan(work, municipality_id, day, now=now)


async def replan(work: Work, municipality_id: str, day: date, *, now: datetime) -> list[GroupYear]:
    """Plans the day again with every confirmed booking on it, and tells each class what
    changed for it. A frozen day keeps announced pick-ups; on any day a class hears of a move
    of more than the tolerance (or of another bus), and of nothing less. Returns the groups'
    trips of a school year freed by classes that lost their trip."""
    await work.plans.lock(municipality_id, day)
    found = await _the_day(work, municipality_id, day, now)
    plan = plan_day(found.day, found.trips, found.rules, found.travel, frozen=found.frozen)
    placements = await work.placements.on_day(municipality_id, day)
    plan = keep_placements(
        plan,
        {p.booking_id: p.bus for p in placements},
        found.trips,
        found.day,
        found.rules,
        found.travel,
        frozen=found.frozen,
    )
    kept = []
    for placement in placements:
        trip = plan.trip(placement.booking_id)
        if trip is not None and trip.bus == trip.return_bus == placement.bus:
            kept.append(placement)
        else:
            # The class left the day, or its bus can no longer take it within the rules.
            log.warning(
                "booking %s no longer fits on %s, where it was placed by hand: planned anew",
                placement.booking_id,
                placement.bus,
            )
            await work.placements.forget(placement.booking_id)
    _, freed = await _tell_the_day(work, found, plan, kept, now=now)
    return freed


@dataclass(frozen=True)
class _TheDay:
    """A day's confirmed bus bookings, as the planning needs them and as the classes are told."""

    municipality_id: str
    day: Day
    rules: BusRules
    travel: Travel
    frozen: bool
    bookings: list[tuple[BusBooking, OccurrenceAt, School | None]]
    trips: list[ClassTrip]


async def _the_day(work: Work, municipality_id: str, day: date, now: datetime) -> _TheDay:
    settings = await work.rules.get(municipality_id)
    rules = settings.bus_rules(await work.directory.fleet(municipality_id))
    zone = await work.directory.zone(municipality_id)
    bookings, trips = [], []
    for booking in await work.bookings.on_day(municipality_id, day):
        assert booking.occurrence_id is not None
        occurrence = await work.catalog.occurrence(booking.occurrence_id)
        school = await work.directory.school(booking.unit_id)
        if occurrence is not None and not occurrence.cancelled:
            bookings.append((booking, occurrence, school))
            holder = None
            if booking.group_id is not None:
                holder = await work.yearly_trips.holder(booking.group_id, school_year(day))
            taken = holder not in (None, booking.booking_id)
            trips.append(_trip(booking, occurrence, school, group_had_its_trip=taken))
    frozen = (day - now.astimezone(zone).date()).days <= rules.frozen_days
    travel = await work.roads.travel(places_of(trips, rules), rules.travel())
    return _TheDay(municipality_id, Day(day, zone), rules, travel, frozen, bookings, trips)


async def _tell_the_day(
    work: Work, the: _TheDay, plan: DayPlan, placements: list[Placement], *, now: datetime
) -> tuple[DayPlanPublic, list[GroupYear]]:
    """The day's plan as kept, and the groups' trips freed by classes that lost theirs."""
    freed = []
    for booking, occurrence, school in the.bookings:
        held = await _tell(work, booking, occurrence, school, plan, the.rules, now=now)
        if held is not None:
            freed.append(held)
    sites = {
        b.booking_id: (
            Site(s.name, s.address) if s else Site(""),
            Site(o.venue_name, o.venue_address),
        )
        for b, o, s in the.bookings
    }
    public = public_plan(
        the.day.date,
        plan,
        sites,
        frozen=the.frozen,
        placed_by_hand=[p.public() for p in placements],
    )
    await work.plans.save(the.municipality_id, public, now)
    return public, freed


class MoveRefused(Exception):
    """The administrator's move cannot be made; the message says why and what would work."""

    def __init__(self, status: int, message: str, refusal: Refusal | None = None) -> None:
        super().__init__(message)
        self.status, self.refusal = status, refusal


async def move_to_bus(
    work: Work,
    municipality_id: str,
    day: date,
    booking_id: UUID,
    bus: str,
    *,
    by: str,
    now: datetime,
) -> DayPlanPublic:
    """The administrator puts a class on a bus by hand, both ways: the buses it leaves and joins
    are re-timed, the whole plan is checked against every rule, the move is recorded, and each
    class whose trip changed beyond the tolerance (or whose bus did) is told."""
    await work.plans.lock(municipality_id, day)
    stored = await work.plans.get(municipality_id, day)
    if stored is None:
        raise MoveRefused(404, f"no bus is planned on {day}: there is no plan to change")
    the = await _the_day(work, municipality_id, day, now)
    names = [b.name for b in the.rules.fleet]
    if bus not in names:
        raise MoveRefused(
            422,
            f"bus: the fleet has no bus {bus!r} (its buses: {', '.join(names) or 'none'});"
            " choose one of them",
        )
    if booking_id not in {trip.booking_id for trip in the.trips}:
        raise MoveRefused(
            404, f"booking {booking_id} is not a confirmed booking on {day} that wants the bus"
        )
    current = domain_plan(stored, the.rules)
    moved = move_class(
        current, the.trips, the.day, the.rules, the.travel, booking_id, bus, frozen=the.frozen
    )
    if isinstance(moved, Refusal):
        raise MoveRefused(409, _refused(moved, bus, the.rules), moved)
    placement = Placement(booking_id, municipality_id, day, bus, moved_by=by, moved_at=now)
    await work.placements.keep(placement)
    placements = [
        p for p in await work.placements.on_day(municipality_id, day) if p.booking_id != booking_id
    ]
    public, freed = await _tell_the_day(work, the, moved, [*placements, placement], now=now)
    await plan_freed(work, municipality_id, freed, now=now)
    return public


def _refused(refusal: Refusal, bus: str, rules: BusRules) -> str:
    if refusal.reason is not None:
        fix = reason_fix(refusal.reason, rules)
        why = fix.words() if fix else refusal.reason.value
        return f"the class cannot have a bus at all: {why}"
    broken = "; ".join(dict.fromkeys(f"{v.rule}: {v.words}" for v in refusal.broken))
    instead = (
        f"it fits on {', '.join(refusal.fits_on)} instead"
        if refusal.fits_on
        else "no other bus can take it either"
    )
    return f"the class cannot go on {bus}: it would break the rules ({broken}); {instead}"


def _trip(
    booking: BusBooking,
    occurrence: OccurrenceAt,
    school: School | None,
    *,
    group_had_its_trip: bool,
) -> ClassTrip:
    told = booking.told.trip if booking.told else None
    return ClassTrip(
        booking_id=booking.booking_id,
        occurrence_id=occurrence.occurrence_id,
        school=school.place if school else None,
        venue=occurrence.venue,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        pupils=booking.pupils,
        adults=booking.adults,
        wheelchair_places=booking.wheelchair_places,
        booked_at=booking.requested_at,
        announced_pickup=told.pickup_at if told else None,
        announced_return=told.return_at if told else None,
        group_id=booking.group_id,
        group_had_its_trip=group_had_its_trip,
    )


async def _tell(
    work: Work,
    booking: BusBooking,
    occurrence: OccurrenceAt,
    school: School | None,
    plan: DayPlan,
    rules: BusRules,
    *,
    now: datetime,
) -> GroupYear | None:
    """Tells the class what changed for it; the group's trip it held, if it lost it."""
    before = booking.told or Told()
    freed = None
    found = plan.trip(booking.booking_id)
    told: Told | None = None
    if found is not None and school is not None and school.place is not None:
        trip = BusTrip(
            booking_id=booking.booking_id,
            event_id=booking.event_id,
            occurrence_id=occurrence.occurrence_id,
            bus=found.bus,
            pickup_at=found.pickup_at,
            pickup_place=", ".join(filter(None, (school.name, school.address))),
            pickup_latitude=school.place.latitude,
            pickup_longitude=school.place.longitude,
            return_bus=found.return_bus,
            return_at=found.return_at,
            home_at=found.home_at,
        )
        old = before.trip
        if old is None:
            await work.publish(BusScheduled(municipality_id=booking.municipality_id, payload=trip))
            told = Told(trip=trip)
        elif _moved(old, trip, rules):
            changed = ChangedBusTrip(
                **trip.model_dump(),
                previous_pickup_at=old.pickup_at,
                previous_return_at=old.return_at,
            )
            await work.publish(
                BusTripChanged(municipality_id=booking.municipality_id, payload=changed)
            )
            told = Told(trip=trip)
        if booking.group_id is not None and booking.day is not None:
            await work.yearly_trips.claim(
                booking.municipality_id,
                booking.group_id,
                school_year(booking.day),
                booking.booking_id,
            )
    else:
        freed = await work.yearly_trips.release(booking.booking_id)
        reason = plan.unserved.get(booking.booking_id, NoBusReason.NO_COORDINATES)
        if before.trip is not None:
            await _cancel_told(work, booking, before.trip, CancelledBecause.REPLANNED)
        fixes = _what_to_fix(reason, rules, school, occurrence)
        if before.reason is not reason:
            others = await _alternatives(work, booking, occurrence, rules, reason, now)
            await work.publish(
                BusUnavailable(
                    municipality_id=booking.municipality_id,
                    payload=Unavailability(
                        booking_id=booking.booking_id,
                        event_id=booking.event_id,
                        occurrence_id=occurrence.occurrence_id,
                        reason=reason,
                        message=in_words(fixes),
                        alternatives=others,
                    ),
                )
            )
        told = Told(reason=reason, what_to_fix=in_words(fixes), fixes=fixes)
    if told is not None:
        booking.told = told
        await work.bookings.save(booking)
    return freed


def _what_to_fix(
    reason: NoBusReason, rules: BusRules, school: School | None, occurrence: OccurrenceAt
) -> list[Fix]:
    fix = reason_fix(reason, rules)
    if fix is not None:
        return [fix]
    fixes = []
    if school is None:
        fixes.append(Fix(code=FixCode.SCHOOL_NOT_KNOWN))
    elif school.place is None:
        fixes.append(Fix(code=FixCode.SCHOOL_WITHOUT_COORDINATES, params={"school": school.name}))
    if occurrence.venue is None:
        venue = {"venue": occurrence.venue_name}
        fixes.append(Fix(code=FixCode.VENUE_WITHOUT_COORDINATES, params=venue))
    homeless = [bus.name for bus in rules.fleet if bus.depot is None]
    if homeless:
        buses = {"buses": ", ".join(homeless)}
        fixes.append(Fix(code=FixCode.BUS_WITHOUT_DEPOT, params=buses))
    return fixes


def _moved(old: BusTrip, new: BusTrip, rules: BusRules) -> bool:
    return (
        old.bus != new.bus
        or old.return_bus != new.return_bus
        or abs(new.pickup_at - old.pickup_at) > rules.tolerance
        or abs(new.return_at - old.return_at) > rules.tolerance
    )


async def _cancel_told(
    work: Work, booking: BusBooking, trip: BusTrip, reason: CancelledBecause
) -> None:
    await work.publish(
        BusTripCancelled(
            municipality_id=booking.municipality_id,
            payload=TripCancellation(
                booking_id=booking.booking_id,
                event_id=booking.event_id,
                occurrence_id=trip.occurrence_id,
                reason=reason,
            ),
        )
    )


async def _alternatives(
    work: Work,
    booking: BusBooking,
    occurrence: OccurrenceAt,
    rules: BusRules,
    reason: NoBusReason,
    now: datetime,
) -> list[UUID]:
    """Other occurrences of the event, on days with a bus that has nothing planned yet."""
    if reason is not NoBusReason.NO_BUS_FREE:
        return []
    zone = await work.directory.zone(booking.municipality_id)
    found = []
    for other in await work.catalog.occurrences_of(booking.event_id):
        day = other.starts_at.astimezone(zone).date()
        if other.cancelled or other.starts_at <= now or day == booking.day:
            continue
        plan = await work.plans.get(booking.municipality_id, day)
        if plan is None or len(plan.buses) < len(rules.fleet):
            found.append(other.occurrence_id)
    return found


def _on_work(handler: Callable[[Any, Work], Awaitable[None]]) -> Handler:
    async def handle(event: Any, uow: UnitOfWork) -> None:
        await handler(event, SqlWork(uow))

    handle.__name__ = handler.__name__
    return handle


HANDLERS: HandlerTable = merge_handlers(
    CATALOG_REPLICA,
    MUNICIPALITY_REPLICA,
    {
        MunicipalityRegistered: [_on_work(keep_fleet)],
        MunicipalityUpdated: [_on_work(keep_fleet)],
        SchoolRegistered: [_on_work(keep_school)],
        SchoolUpdated: [_on_work(keep_school)],
        BookingRequested: [_on_work(note_request)],
        SeatsAllocated: [_on_work(plan_confirmed)],
        BookingCancelled: [_on_work(cancel_booking)],
        OccurrenceCancelled: [_on_work(cancel_occurrences)],
        EventCancelled: [_on_work(cancel_occurrences)],
    },
)
