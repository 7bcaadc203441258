"""Transport's handlers against a fake unit of work: what each class is told, and when."""

import dataclasses
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from kulturbro_contracts import (
    BookingCancelled,
    BookingRequested,
    OccurrenceCancelled,
    SeatsAllocated,
)
from kulturbro_contracts.allocation import Allocation
from kulturbro_contracts.booking import BookingCancellation, BookingRequest
from kulturbro_contracts.catalog import OccurrenceCancellation
from kulturbro_contracts.directory import Bus as FleetBus
from kulturbro_contracts.transport import CancelledBecause, NoBusReason
from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime import NotYet
from transport.fixes import FixCode, in_words
from transport.handlers import (
    MoveRefused,
    cancel_booking,
    cancel_occurrences,
    move_to_bus,
    note_request,
    plan_confirmed,
)
from transport.records import OccurrenceAt, RuleSettings, School

from .builders import DEPOT, HERRGARDEN, LIMHAMN, NEAR, ROSENGARD, THEATRE, TUESDAY, local
from .fake_work import FakeWork

TOWN = "malmo"
EVENT = uuid4()
NOW = TUESDAY.at(0) - timedelta(days=30)


def a_town(buses: int = 2, **rules: object) -> FakeWork:
    """A municipality with its buses at the depot, and rules set beside it."""
    work = FakeWork()
    work.directory.fleets[TOWN] = [FleetBus(name=f"Buss {n + 1}", seats=50) for n in range(buses)]
    depot = {"depot_latitude": DEPOT.latitude, "depot_longitude": DEPOT.longitude}
    work.rules.settings[TOWN] = RuleSettings.model_validate(depot | rules)
    return work


def an_occurrence(work: FakeWork, *, days_later: int = 0, venue=THEATRE) -> UUID:
    occurrence_id = uuid4()
    starts = local(TUESDAY, 10) + timedelta(days=days_later)
    work.catalog.occurrences[occurrence_id] = OccurrenceAt(
        occurrence_id, EVENT, starts, starts + timedelta(hours=1), "Teatern", venue, False
    )
    return occurrence_id


async def booked(
    work: FakeWork,
    occurrence_id: UUID,
    school=ROSENGARD,
    *,
    pupils: int = 22,
    bus: bool = True,
    group: UUID | None = None,
    wheelchairs: int = 0,
) -> UUID:
    unit_id, booking_id = uuid4(), uuid4()
    work.directory.schools[unit_id] = School(f"Skola {unit_id.hex[:4]}", None, school)
    request = BookingRequest(
        booking_id=booking_id,
        event_id=EVENT,
        occurrence_ids=[occurrence_id],
        group_id=group or uuid4(),
        unit_id=unit_id,
        teacher_id=uuid4(),
        pupils=pupils,
        adults=2,
        wheelchair_places=wheelchairs,
        wants_bus=bus,
    )
    await note_request(
        BookingRequested(municipality_id=TOWN, occurred_at=NOW, payload=request), work
    )
    await plan_confirmed(allocated(booking_id, occurrence_id, unit_id), work)
    return booking_id


def allocated(booking_id: UUID, occurrence_id: UUID, unit_id: UUID | None = None) -> SeatsAllocated:
    return SeatsAllocated(
        municipality_id=TOWN,
        occurred_at=NOW,
        payload=Allocation(
            booking_id=booking_id,
            event_id=EVENT,
            occurrence_id=occurrence_id,
            group_id=uuid4(),
            unit_id=unit_id or uuid4(),
            seats=24,
            explanation={Language.SV: "Bekräftad"},
        ),
    )


async def test_a_confirmed_booking_that_wants_the_bus_is_scheduled_and_its_day_planned() -> None:
    work = a_town()
    booking_id = await booked(work, an_occurrence(work))
    assert work.told() == ["BusScheduled"]
    plan = work.plans.plans[TOWN, TUESDAY.date]
    assert len(plan.buses) == 1 and [s.booking_id for s in plan.buses[0].stops] == [booking_id] * 4
    told = work.bookings.rows[booking_id].told
    assert told is not None and told.trip is not None
    assert told.trip.pickup_at <= local(TUESDAY, 10) - timedelta(minutes=15)


async def test_a_redelivered_allocation_plans_nothing_twice() -> None:
    work = a_town()
    occurrence_id = an_occurrence(work)
    booking_id = await booked(work, occurrence_id)
    work.told()
    await plan_confirmed(allocated(booking_id, occurrence_id), work)
    assert work.told() == []


async def test_an_allocation_heard_before_its_request_waits_for_it() -> None:
    with pytest.raises(NotYet):
        await plan_confirmed(allocated(uuid4(), uuid4()), a_town())


async def test_a_booking_without_the_bus_is_not_planned() -> None:
    work = a_town()
    await booked(work, an_occurrence(work), bus=False)
    assert work.told() == [] and work.plans.plans == {}


@pytest.mark.parametrize(
    ("work", "school", "reason", "says"),
    [
        (a_town(), NEAR, NoBusReason.TOO_NEAR, "nearer the venue than 3000 m"),
        (a_town(buses=0), ROSENGARD, NoBusReason.NO_FLEET, "add its bus fleet in the directory"),
        (a_town(), None, NoBusReason.NO_COORDINATES, "has no coordinates: add them in the dir"),
        (
            a_town(depot_latitude=None, depot_longitude=None),
            ROSENGARD,
            NoBusReason.NO_COORDINATES,
            "bus Buss 1, Buss 2 has no depot: set the municipality's depot, or the bus's own",
        ),
        (
            a_town(opens="10:00"),
            ROSENGARD,
            NoBusReason.NO_OPERATING_HOURS,
            "outside the buses' hours (10:00-15:30",
        ),
    ],
)
async def test_a_class_that_gets_no_bus_hears_why_and_the_administrator_what_to_fix(
    work: FakeWork, school, reason: NoBusReason, says: str
) -> None:
    booking_id = await booked(work, an_occurrence(work), school)
    [unavailable] = work.published
    assert unavailable.event_type == "BusUnavailable"
    assert unavailable.payload.reason is reason and says in unavailable.payload.message
    assert work.plans.plans[TOWN, TUESDAY.date].unserved[0].booking_id == booking_id
    # Kept with what the class was told, for the day's plan to show the administrator.
    told = work.bookings.rows[booking_id].told
    assert told is not None and told.what_to_fix is not None and says in told.what_to_fix


@pytest.mark.parametrize(
    ("work", "school", "fix"),
    [
        (a_town(), NEAR, (FixCode.TOO_NEAR, {"metres": "3000"})),
        (a_town(buses=0), ROSENGARD, (FixCode.NO_FLEET, {})),
        (
            a_town(opens="10:00"),
            ROSENGARD,
            (FixCode.NO_OPERATING_HOURS, {"opens": "10:00", "closes": "15:30"}),
        ),
    ],
)
async def test_what_to_fix_is_kept_as_a_code_with_its_values_for_the_pages_to_translate(
    work: FakeWork, school, fix: tuple[FixCode, dict[str, str]]
) -> None:
    booking_id = await booked(work, an_occurrence(work), school)
    told = work.bookings.rows[booking_id].told
    assert told is not None and [(f.code, f.params) for f in told.fixes] == [fix]
    assert told.what_to_fix == in_words(told.fixes) == work.published[0].payload.message


async def test_each_place_without_coordinates_is_a_code_of_its_own_naming_the_place() -> None:
    work = a_town(depot_latitude=None, depot_longitude=None)
    booking_id = await booked(work, an_occurrence(work, venue=None), None)
    school = work.directory.schools[work.bookings.rows[booking_id].unit_id].name
    told = work.bookings.rows[booking_id].told
    assert told is not None and [(f.code, f.params) for f in told.fixes] == [
        (FixCode.SCHOOL_WITHOUT_COORDINATES, {"school": school}),
        (FixCode.VENUE_WITHOUT_COORDINATES, {"venue": "Teatern"}),
        (FixCode.BUS_WITHOUT_DEPOT, {"buses": "Buss 1, Buss 2"}),
    ]
    assert told.what_to_fix == (
        f"school {school} has no coordinates: add them in the directory; venue Teatern has no"
        " coordinates: its organizer adds them; bus Buss 1, Buss 2 has no depot: set the"
        " municipality's depot, or the bus's own, in the bus rules"
    )


async def test_a_venue_without_coordinates_is_named_for_the_administrator() -> None:
    work = a_town()
    await booked(work, an_occurrence(work, venue=None))
    [unavailable] = work.published
    assert unavailable.payload.reason is NoBusReason.NO_COORDINATES
    assert unavailable.payload.message == (
        "venue Teatern has no coordinates: its organizer adds them"
    )


async def test_a_cancelled_booking_loses_its_trip_and_the_day_is_planned_without_it() -> None:
    work = a_town()
    booking_id = await booked(work, an_occurrence(work))
    work.told()
    cancellation = BookingCancellation(booking_id=booking_id, event_id=EVENT, cancelled_by=uuid4())
    event = BookingCancelled(municipality_id=TOWN, occurred_at=NOW, payload=cancellation)
    await cancel_booking(event, work)
    [cancelled] = work.published
    assert cancelled.payload.reason is CancelledBecause.BOOKING_CANCELLED
    assert work.plans.plans[TOWN, TUESDAY.date].buses == []
    work.told()
    await cancel_booking(event, work)
    assert work.told() == []


async def test_a_cancelled_occurrence_cancels_every_bus_to_it() -> None:
    work = a_town()
    occurrence_id = an_occurrence(work)
    await booked(work, occurrence_id)
    await booked(work, occurrence_id, HERRGARDEN)
    work.told()
    occurrence = work.catalog.occurrences[occurrence_id]  # as the catalog replica marks it
    work.catalog.occurrences[occurrence_id] = dataclasses.replace(occurrence, cancelled=True)
    cancellation = OccurrenceCancellation(event_id=EVENT, occurrence_id=occurrence_id)
    await cancel_occurrences(
        OccurrenceCancelled(municipality_id=TOWN, occurred_at=NOW, payload=cancellation), work
    )
    assert work.told() == ["BusTripCancelled", "BusTripCancelled"]
    assert work.plans.plans[TOWN, TUESDAY.date].buses == []


async def test_an_announced_pick_up_never_moves_more_than_ten_minutes_without_a_notice() -> None:
    work = a_town()
    occurrence_id = an_occurrence(work)
    bookings = [await booked(work, occurrence_id, school) for school in (LIMHAMN, ROSENGARD)]
    bookings.append(await booked(work, occurrence_id, HERRGARDEN))
    plan = work.plans.plans[TOWN, TUESDAY.date]
    for booking_id in bookings:
        told = work.bookings.rows[booking_id].told
        assert told is not None and told.trip is not None
        planned = next(
            stop.at
            for run in plan.buses
            for stop in run.stops
            if stop.booking_id == booking_id and stop.kind == "pick_up" and stop.leg == "there"
        )
        assert abs(planned - told.trip.pickup_at) <= timedelta(minutes=10)


async def test_no_bus_free_names_another_occurrence_of_the_event_with_a_bus_free() -> None:
    work = a_town(buses=1, max_ride_min=30)
    occurrence_id = an_occurrence(work)
    later = an_occurrence(work, days_later=7)
    await booked(work, occurrence_id, LIMHAMN, pupils=43)
    await booked(work, occurrence_id, ROSENGARD, pupils=43)
    unavailable = work.published[-1]
    assert unavailable.event_type == "BusUnavailable"
    assert unavailable.payload.reason is NoBusReason.NO_BUS_FREE
    assert unavailable.payload.alternatives == [later]


async def test_a_pick_up_moved_beyond_the_tolerance_is_told_with_what_it_was() -> None:
    work = a_town()
    occurrence_id = an_occurrence(work)
    first = await booked(work, occurrence_id)
    told = work.bookings.rows[first].told
    assert told is not None and told.trip is not None
    # The office wants classes there 45 minutes early now: the next plan moves her pick-up.
    settings = work.rules.settings[TOWN]
    work.rules.settings[TOWN] = settings.model_copy(update={"arrive_before_min": 45})
    work.told()
    await booked(work, occurrence_id, HERRGARDEN)
    changed = next(e for e in work.published if e.payload.booking_id == first)
    assert changed.event_type == "BusTripChanged"
    assert changed.payload.previous_pickup_at == told.trip.pickup_at
    assert changed.payload.pickup_at <= told.trip.pickup_at - timedelta(minutes=10)


async def test_a_group_has_the_bus_once_a_school_year_where_the_rules_say_so() -> None:
    work, group = a_town(one_trip_per_school_year=True), uuid4()
    first = await booked(work, an_occurrence(work), group=group)
    assert work.told() == ["BusScheduled"]
    await booked(work, an_occurrence(work, days_later=7), group=group)
    [unavailable] = work.published
    assert unavailable.payload.reason is NoBusReason.ONE_TRIP_A_YEAR
    assert "had its bus trip this school year" in unavailable.payload.message
    work.told()
    # The school year starts on 1 July: the group's next trip is in a new one.
    await booked(work, an_occurrence(work, days_later=150), group=group)
    assert work.told() == ["BusScheduled"]
    # Its first trip cancelled, the booking refused for it has the bus after all.
    await cancel_booking(cancelled(first), work)
    assert work.told() == ["BusTripCancelled", "BusScheduled"]


def cancelled(booking_id: UUID) -> BookingCancelled:
    cancellation = BookingCancellation(booking_id=booking_id, event_id=EVENT, cancelled_by=uuid4())
    return BookingCancelled(municipality_id=TOWN, occurred_at=NOW, payload=cancellation)


async def _cancel_the_trip(work: FakeWork, how: str, booking_id: UUID) -> None:
    """The group's trip goes: its booking or occurrence cancelled, or the day planned again
    without it (its venue's place lost, and another class booked on the day)."""
    occurrence_id = work.bookings.rows[booking_id].occurrence_id
    assert occurrence_id is not None
    occurrence = work.catalog.occurrences[occurrence_id]
    if how == "booking cancelled":
        await cancel_booking(cancelled(booking_id), work)
    elif how == "occurrence cancelled":
        work.catalog.occurrences[occurrence_id] = dataclasses.replace(occurrence, cancelled=True)
        cancellation = OccurrenceCancellation(event_id=EVENT, occurrence_id=occurrence_id)
        await cancel_occurrences(
            OccurrenceCancelled(municipality_id=TOWN, occurred_at=NOW, payload=cancellation), work
        )
    else:
        work.catalog.occurrences[occurrence_id] = dataclasses.replace(occurrence, venue=None)
        await booked(work, occurrence_id, HERRGARDEN)


@pytest.mark.parametrize("how", ["booking cancelled", "occurrence cancelled", "trip cancelled"])
async def test_a_group_refused_for_its_trip_a_year_has_the_bus_once_that_trip_goes(
    how: str,
) -> None:
    work, group = a_town(one_trip_per_school_year=True), uuid4()
    first = await booked(work, an_occurrence(work), group=group)
    later = await booked(work, an_occurrence(work, days_later=7), group=group)
    latest = await booked(work, an_occurrence(work, days_later=14), group=group)
    work.told()

    await _cancel_the_trip(work, how, first)
    told = [(e.event_type, e.payload.booking_id) for e in work.published]
    assert ("BusTripCancelled", first) in told
    # The earliest refused day is planned again and has the trip; the next still waits.
    assert [(t, b) for t, b in told if b in (later, latest)] == [("BusScheduled", later)]
    assert work.yearly_trips.held == {(group, 2026): later}
    day = (TUESDAY.at(0) + timedelta(days=7)).date()
    plan = work.plans.plans[TOWN, day]
    assert plan.unserved == [] and {s.booking_id for s in plan.buses[0].stops} == {later}
    told_latest = work.bookings.rows[latest].told
    assert told_latest is not None and told_latest.reason is NoBusReason.ONE_TRIP_A_YEAR

    # That trip cancelled in turn, the last booking of the group has it.
    work.told()
    await cancel_booking(cancelled(later), work)
    assert work.told() == ["BusTripCancelled", "BusScheduled"]
    assert work.yearly_trips.held == {(group, 2026): latest}


async def test_a_booking_moved_into_the_next_school_year_frees_its_trip_of_the_last() -> None:
    work, group = a_town(one_trip_per_school_year=True), uuid4()
    first = await booked(work, an_occurrence(work), group=group)
    refused = await booked(work, an_occurrence(work, days_later=7), group=group)
    work.told()
    # The allocation moves the first booking to an occurrence after 1 July.
    autumn = an_occurrence(work, days_later=182)
    await plan_confirmed(allocated(first, autumn, work.bookings.rows[first].unit_id), work)
    assert [(e.event_type, e.payload.booking_id) for e in work.published] == [
        ("BusTripChanged", first),
        ("BusScheduled", refused),
    ]
    assert work.yearly_trips.held == {(group, 2026): refused, (group, 2027): first}


async def test_a_class_planned_again_for_a_freed_trip_hears_why_it_still_has_no_bus() -> None:
    work, group = a_town(one_trip_per_school_year=True), uuid4()
    first = await booked(work, an_occurrence(work), group=group)
    later = await booked(work, an_occurrence(work, days_later=7), group=group)
    settings = work.rules.settings[TOWN]
    work.rules.settings[TOWN] = settings.model_copy(update={"min_distance_m": 50_000})
    work.told()
    await cancel_booking(cancelled(first), work)
    [gone, unavailable] = work.published
    assert (gone.event_type, gone.payload.booking_id) == ("BusTripCancelled", first)
    assert unavailable.event_type == "BusUnavailable" and unavailable.payload.booking_id == later
    assert unavailable.payload.reason is NoBusReason.TOO_NEAR
    assert work.yearly_trips.held == {}


async def test_a_freed_trip_plans_no_day_of_another_group() -> None:
    work, group = a_town(one_trip_per_school_year=True), uuid4()
    first = await booked(work, an_occurrence(work), group=group)
    other_group = uuid4()
    await booked(work, an_occurrence(work, days_later=7), group=other_group)
    await booked(work, an_occurrence(work, days_later=8), group=other_group)
    work.told()
    await cancel_booking(cancelled(first), work)
    assert work.told() == ["BusTripCancelled"]


async def test_a_group_has_the_bus_as_often_as_it_books_by_default() -> None:
    work, group = a_town(), uuid4()
    await booked(work, an_occurrence(work), group=group)
    await booked(work, an_occurrence(work, days_later=7), group=group)
    assert work.told() == ["BusScheduled", "BusScheduled"]


def buses_of(work: FakeWork, booking_id: UUID) -> set[str]:
    plan = work.plans.plans[TOWN, TUESDAY.date]
    return {run.bus for run in plan.buses for stop in run.stops if stop.booking_id == booking_id}


async def test_the_administrator_moves_a_class_to_another_bus_and_later_plans_keep_it_there() -> (
    None
):
    work = a_town(buses=2)
    occurrence_id = an_occurrence(work)
    first = await booked(work, occurrence_id)
    second = await booked(work, occurrence_id, HERRGARDEN)
    [shared] = buses_of(work, first)
    assert buses_of(work, second) == {shared}
    other = "Buss 2" if shared == "Buss 1" else "Buss 1"
    work.told()
    moved_at = NOW + timedelta(hours=1)
    plan = await move_to_bus(work, TOWN, TUESDAY.date, second, other, by="office-1", now=moved_at)
    assert {run.bus for run in plan.buses} == {shared, other}
    assert buses_of(work, second) == {other} and buses_of(work, first) == {shared}
    [changed] = [e for e in work.published if e.payload.booking_id == second]
    assert changed.event_type == "BusTripChanged" and changed.payload.bus == other
    [placed] = work.plans.plans[TOWN, TUESDAY.date].placed_by_hand
    assert (placed.booking_id, placed.bus, placed.moved_by, placed.moved_at) == (
        second,
        other,
        "office-1",
        moved_at,
    )
    # A new booking plans the day again: the class stays where the administrator put it.
    await booked(work, occurrence_id, LIMHAMN, pupils=10)
    assert buses_of(work, second) == {other}
    assert len(work.plans.plans[TOWN, TUESDAY.date].placed_by_hand) == 1


async def test_a_move_that_breaks_a_rule_is_refused_with_the_rule_and_what_would_work() -> None:
    work = a_town(buses=2)
    occurrence_id = an_occurrence(work)
    work.directory.fleets[TOWN] = [
        FleetBus(name="Buss 1", seats=50),
        FleetBus(name="Buss 2", seats=50, wheelchair_places=1),
    ]
    alone = await booked(work, occurrence_id, wheelchairs=1)
    own, full = "Buss 2", "Buss 1"
    assert buses_of(work, alone) == {own}
    work.told()
    with pytest.raises(MoveRefused) as refused:
        await move_to_bus(work, TOWN, TUESDAY.date, alone, full, by="office-1", now=NOW)
    assert refused.value.status == 409
    assert "seats:" in str(refused.value) and f"it fits on {own} instead" in str(refused.value)
    assert work.told() == [] and work.placements.rows == {}


@pytest.mark.parametrize(
    ("bus", "which", "status", "says"),
    [
        ("Buss 9", "booked", 422, "the fleet has no bus 'Buss 9' (its buses: Buss 1, Buss 2)"),
        ("Buss 2", "stranger", 404, "is not a confirmed booking on 2027-03-16"),
    ],
)
async def test_a_move_to_no_such_bus_or_of_no_such_class_says_what_is_wrong(
    bus: str, which: str, status: int, says: str
) -> None:
    work = a_town()
    booking_id = await booked(work, an_occurrence(work))
    asked = booking_id if which == "booked" else uuid4()
    with pytest.raises(MoveRefused) as refused:
        await move_to_bus(work, TOWN, TUESDAY.date, asked, bus, by="office-1", now=NOW)
    assert refused.value.status == status and says in str(refused.value)
