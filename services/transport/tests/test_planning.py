"""The planning domain: every rule honoured, as an independent checker sees it, and every class
that gets no bus told why."""

import dataclasses
import random
from datetime import date, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from pyvrp import read
from pyvrp.stop import MaxIterations

from transport.domain import (
    Bus,
    BusRules,
    DayPlan,
    Place,
    Reason,
    StopKind,
    plan_day,
    school_year,
    violations,
)

from .builders import (
    DEPOT,
    FAR,
    HERRGARDEN,
    LIMHAMN,
    NEAR,
    ROSENGARD,
    RULES,
    THEATRE,
    TUESDAY,
    Day,
    trip,
)

RC208 = Path(__file__).with_name("data") / "RC208.vrp"
RC208_BEST_KNOWN = 776.1


def checked(plan: DayPlan, trips: list, rules: BusRules = RULES, day: Day = TUESDAY) -> DayPlan:
    assert violations(plan, trips, day, rules, rules.travel()) == []
    return plan


def test_classes_from_nearby_schools_to_one_performance_share_a_bus() -> None:
    occurrence = uuid4()
    trips = [trip(ROSENGARD, occurrence_id=occurrence), trip(HERRGARDEN, occurrence_id=occurrence)]
    plan = checked(plan_day(TUESDAY, trips, RULES), trips)
    assert plan.unserved == {}
    assert len(plan.runs) == 1
    assert max(seats for seats, _ in plan.runs[0].load()) == 48


def test_a_bus_takes_one_class_there_and_another_later_in_the_day() -> None:
    trips = [trip(ROSENGARD, starts=(9, 0)), trip(LIMHAMN, starts=(12, 30))]
    plan = checked(plan_day(TUESDAY, trips, RULES), trips)
    assert len(plan.runs) == 1 and plan.unserved == {}
    bus_trip = plan.trip(trips[0].booking_id)
    assert bus_trip is not None and bus_trip.pickup_place == ROSENGARD
    assert bus_trip.pickup_at <= trips[0].starts_at - timedelta(minutes=15)
    assert bus_trip.return_at >= trips[0].ends_at + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("make", "rules", "reason"),
    [
        (lambda: trip(NEAR), RULES, Reason.TOO_NEAR),
        (lambda: trip(ROSENGARD, booked_days_before=5), RULES, Reason.TOO_LATE_TO_BOOK),
        (lambda: trip(FAR), RULES, Reason.RIDE_TOO_LONG),
        (lambda: trip(None), RULES, Reason.NO_COORDINATES),
        (lambda: trip(ROSENGARD, venue=None), RULES, Reason.NO_COORDINATES),
        (lambda: trip(ROSENGARD), BusRules(), Reason.NO_FLEET),
        (lambda: trip(ROSENGARD), BusRules(fleet=(Bus("B", 50),)), Reason.NO_COORDINATES),
        (lambda: trip(ROSENGARD, pupils=60), RULES, Reason.NO_BUS_FREE),
        (lambda: trip(ROSENGARD, wheelchairs=3), RULES, Reason.NO_BUS_FREE),
        (lambda: trip(ROSENGARD, starts=(8, 0)), RULES, Reason.NO_OPERATING_HOURS),
        (lambda: trip(ROSENGARD, starts=(15, 0)), RULES, Reason.NO_OPERATING_HOURS),
        (
            lambda: trip(ROSENGARD, day=Day(TUESDAY.date + timedelta(days=4), TUESDAY.zone)),
            RULES,
            Reason.NO_OPERATING_HOURS,
        ),
    ],
)
def test_a_class_the_bus_cannot_take_is_told_why(make, rules: BusRules, reason: Reason) -> None:
    one = make()
    day = Day(one.starts_at.astimezone(TUESDAY.zone).date(), TUESDAY.zone)
    plan = checked(plan_day(day, [one], rules), [one], rules, day)
    assert plan.runs == () and plan.unserved == {one.booking_id: reason}


def test_wheelchair_places_go_on_the_bus_that_has_them() -> None:
    trips = [trip(ROSENGARD, wheelchairs=1)]
    plan = checked(plan_day(TUESDAY, trips, RULES), trips)
    assert [run.bus.name for run in plan.runs] == ["Buss 2"]


def test_when_the_buses_are_full_an_announced_trip_keeps_its_bus_and_the_rest_hear_why() -> None:
    # Half an hour on board at most: one bus has time for one trip there before the start.
    one_bus = BusRules(fleet=(Bus("Buss 1", seats=50, depot=DEPOT),), max_ride_min=30)
    occurrence = uuid4()
    first, *others = [
        trip(school, occurrence_id=occurrence, pupils=43) for school in (LIMHAMN, ROSENGARD)
    ]
    first = dataclasses.replace(first, announced_pickup=first.starts_at - timedelta(minutes=30))
    trips = [first, *others]
    plan = checked(plan_day(TUESDAY, trips, one_bus), trips, one_bus)
    assert plan.served() == {first.booking_id}
    assert plan.unserved == {t.booking_id: Reason.NO_BUS_FREE for t in others}


def test_a_frozen_day_keeps_announced_pick_ups_within_ten_minutes() -> None:
    first = trip(ROSENGARD, starts=(10, 0))
    announced = first.starts_at - timedelta(minutes=55)
    kept = dataclasses.replace(first, announced_pickup=announced)
    trips = [kept, trip(LIMHAMN, starts=(10, 0))]
    plan = checked(plan_day(TUESDAY, trips, RULES, frozen=True), trips)
    bus_trip = plan.trip(kept.booking_id)
    assert bus_trip is not None
    assert abs(bus_trip.pickup_at - announced) <= timedelta(minutes=10)


def test_the_checker_finds_a_broken_plan() -> None:
    trips = [trip(ROSENGARD), trip(HERRGARDEN)]
    plan = checked(plan_day(TUESDAY, trips, RULES), trips)
    run = plan.runs[0]
    early = tuple(
        dataclasses.replace(stop, at=stop.at - timedelta(minutes=90))
        if stop.kind is StopKind.DROP_OFF
        else stop
        for stop in run.stops
    )
    minibus = Bus("Minibus", seats=8, depot=DEPOT)
    rules = dataclasses.replace(RULES, fleet=(*RULES.fleet, minibus))
    small = dataclasses.replace(run, bus=minibus, stops=early)
    found = violations(
        DayPlan(runs=(small, small)), [*trips, trip(LIMHAMN)], TUESDAY, rules, rules.travel()
    )
    assert any("two places" in problem for problem in found)
    assert any("cannot be there before" in problem for problem in found)
    assert any("travellers" in problem for problem in found)
    assert any("neither served nor refused" in problem for problem in found)


def test_each_bus_starts_and_ends_its_day_at_its_own_depot() -> None:
    north, south = Place(55.6200, 13.0700), Place(55.5600, 12.9500)
    rules = BusRules(fleet=(Bus("Norr", 50, depot=north), Bus("Söder", 50, depot=south)))
    # Big classes due at the same early hour: one bus could not take both.
    trips = [trip(ROSENGARD, starts=(8, 45), pupils=40), trip(LIMHAMN, starts=(8, 45), pupils=40)]
    plan = checked(plan_day(TUESDAY, trips, rules), trips, rules)
    assert plan.unserved == {} and len(plan.runs) == 2
    for run in plan.runs:
        assert run.depot == run.home == run.bus.depot
    # The bus from the south takes Limhamn, in the south-west; the one from the north the other.
    by_bus = {run.bus.name: run.stops[0].booking_id for run in plan.runs}
    assert by_bus == {"Norr": trips[0].booking_id, "Söder": trips[1].booking_id}


def test_the_checker_finds_a_bus_away_from_its_own_depot() -> None:
    trips = [trip(ROSENGARD)]
    plan = checked(plan_day(TUESDAY, trips, RULES), trips)
    elsewhere = Place(55.6200, 13.0700)
    moved = dataclasses.replace(plan.runs[0], depot=elsewhere, home=elsewhere)
    found = violations(DayPlan(runs=(moved,)), trips, TUESDAY, RULES, RULES.travel())
    assert any(
        "starts its day" in problem and "not at its own depot" in problem for problem in found
    )
    assert any("ends its day" in problem for problem in found)


def test_a_group_booked_twice_on_one_day_has_one_trip_where_the_rules_give_one_a_year() -> None:
    group = uuid4()
    morning = dataclasses.replace(trip(ROSENGARD, starts=(9, 0)), group_id=group)
    noon = dataclasses.replace(trip(ROSENGARD, starts=(12, 30)), group_id=group)
    had_it = dataclasses.replace(trip(HERRGARDEN), group_had_its_trip=True)
    trips = [morning, noon, had_it]
    rules = dataclasses.replace(RULES, one_trip_per_school_year=True)
    plan = checked(plan_day(TUESDAY, trips, rules), trips, rules)
    assert plan.served() == {morning.booking_id}
    assert plan.unserved == {
        noon.booking_id: Reason.ONE_TRIP_A_YEAR,
        had_it.booking_id: Reason.ONE_TRIP_A_YEAR,
    }
    unlimited = checked(plan_day(TUESDAY, trips, RULES), trips)
    assert len(unlimited.served()) == 3
    found = violations(unlimited, trips, TUESDAY, rules, rules.travel())
    assert any("has 2 bus trips on one day" in problem for problem in found)
    assert any("has had its trip this school year" in problem for problem in found)


def test_the_school_year_starts_on_the_first_of_july_as_for_every_service() -> None:
    assert school_year(date(2027, 6, 30)) == 2026
    assert school_year(date(2027, 7, 1)) == 2027


@pytest.mark.parametrize("seed", [1, 2])
def test_a_busy_random_day_keeps_every_rule(seed: int) -> None:
    rng = random.Random(seed)
    venues = [Place(55.60 + rng.uniform(-0.01, 0.01), 13.00 + rng.uniform(-0.01, 0.01))]
    venues.append(THEATRE)
    trips = [
        trip(
            Place(55.55 + rng.uniform(0, 0.08), 12.93 + rng.uniform(0, 0.15)),
            venue=rng.choice(venues),
            starts=(rng.choice((9, 10, 12, 13)), rng.choice((0, 30))),
            pupils=rng.randint(15, 28),
            wheelchairs=rng.choice((0, 0, 0, 1)),
        )
        for _ in range(14)
    ]
    rules = BusRules(fleet=tuple(Bus(f"Buss {n}", 60, n % 2, DEPOT) for n in range(4)))
    plan = checked(plan_day(TUESDAY, trips, rules, iterations=1000), trips, rules)
    assert len(plan.served()) >= 10


def test_the_solver_solves_solomons_rc208_within_one_percent_of_the_best_known() -> None:
    """PyVRP wired as we use it, on a classic instance with time windows."""
    from pyvrp import solve

    result = solve(read(RC208, round_func="dimacs"), stop=MaxIterations(2000), seed=1)
    assert result.best.is_feasible()
    assert result.cost() / 10 <= RC208_BEST_KNOWN * 1.01
