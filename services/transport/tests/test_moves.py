"""A class moved to another bus by hand: placed both ways, the buses re-timed, every rule checked
by the independent checker, and refused with the rule it breaks and the buses that fit."""

import dataclasses
from uuid import uuid4

from transport.domain import (
    Bus,
    BusRules,
    DayPlan,
    Reason,
    Refusal,
    Rule,
    keep_placements,
    move_class,
    plan_day,
    violations,
)

from .builders import DEPOT, HERRGARDEN, LIMHAMN, NEAR, ROSENGARD, RULES, TUESDAY, trip

RULES_3 = BusRules(fleet=(*RULES.fleet, Bus("Buss 3", seats=30, depot=DEPOT)))


def moved(plan: DayPlan, trips: list, booking, bus: str, rules: BusRules = RULES) -> DayPlan:
    after = move_class(plan, trips, TUESDAY, rules, rules.travel(), booking, bus)
    assert isinstance(after, DayPlan), after
    assert violations(after, trips, TUESDAY, rules, rules.travel()) == []
    return after


def bus_of(plan: DayPlan, booking) -> tuple[str, str]:
    found = plan.trip(booking)
    assert found is not None
    return found.bus, found.return_bus


def test_a_class_moved_to_another_bus_goes_both_ways_on_it_and_every_rule_holds() -> None:
    occurrence = uuid4()
    trips = [trip(ROSENGARD, occurrence_id=occurrence), trip(HERRGARDEN, occurrence_id=occurrence)]
    plan = plan_day(TUESDAY, trips, RULES)
    assert len(plan.runs) == 1  # they share a bus
    shared = plan.runs[0].bus.name
    other = next(bus.name for bus in RULES.fleet if bus.name != shared)
    after = moved(plan, trips, trips[1].booking_id, other)
    assert bus_of(after, trips[1].booking_id) == (other, other)
    assert bus_of(after, trips[0].booking_id) == (shared, shared)
    # The bus it left is re-timed without it; the one staying keeps her pick-up.
    before, now = plan.trip(trips[0].booking_id), after.trip(trips[0].booking_id)
    assert before is not None and now is not None and now.pickup_at >= before.pickup_at


def test_wheelchair_places_go_only_where_the_bus_has_them() -> None:
    chair = trip(ROSENGARD, wheelchairs=1)
    plan = plan_day(TUESDAY, [chair], RULES)
    assert bus_of(plan, chair.booking_id) == ("Buss 2", "Buss 2")
    refused = move_class(plan, [chair], TUESDAY, RULES, RULES.travel(), chair.booking_id, "Buss 1")
    assert isinstance(refused, Refusal) and {v.rule for v in refused.broken} == {Rule.SEATS}
    assert refused.fits_on == ("Buss 2",)


def test_a_bus_busy_elsewhere_cannot_take_a_class_at_the_same_time() -> None:
    """Two big classes due at 08:30 from schools apart: neither bus can take both."""
    first = trip(LIMHAMN, starts=(8, 45), pupils=40)
    second = trip(ROSENGARD, starts=(8, 45), pupils=40)
    trips = [first, second]
    plan = plan_day(TUESDAY, trips, RULES_3)
    assert len(plan.runs) == 2 and plan.unserved == {}
    target, own = bus_of(plan, first.booking_id)[0], bus_of(plan, second.booking_id)[0]
    refused = move_class(plan, trips, TUESDAY, RULES_3, RULES_3.travel(), second.booking_id, target)
    assert isinstance(refused, Refusal) and refused.broken
    assert {v.rule for v in refused.broken} <= {Rule.SEATS, Rule.ARRIVE_BEFORE, Rule.RIDE_TIME}
    # Buss 3 has 30 seats: too few for 42 travellers.
    assert refused.fits_on == (own,)


def test_a_class_the_rules_give_no_bus_cannot_be_moved_onto_one() -> None:
    near = trip(NEAR)
    plan = plan_day(TUESDAY, [near], RULES)
    refused = move_class(plan, [near], TUESDAY, RULES, RULES.travel(), near.booking_id, "Buss 1")
    assert isinstance(refused, Refusal) and refused.reason is Reason.TOO_NEAR


def test_a_class_without_a_bus_is_put_on_one_where_it_fits() -> None:
    trips = [trip(ROSENGARD), trip(LIMHAMN, starts=(13, 0))]
    plan = plan_day(TUESDAY, trips[:1], RULES)
    plan = DayPlan(runs=plan.runs, unserved={trips[1].booking_id: Reason.NO_BUS_FREE})
    after = moved(plan, trips, trips[1].booking_id, "Buss 3", RULES_3)
    assert after.unserved == {} and bus_of(after, trips[1].booking_id) == ("Buss 3", "Buss 3")


def test_a_later_plan_of_the_day_keeps_a_class_where_it_was_placed_by_hand() -> None:
    occurrence = uuid4()
    trips = [trip(ROSENGARD, occurrence_id=occurrence), trip(HERRGARDEN, occurrence_id=occurrence)]
    again = plan_day(TUESDAY, trips, RULES_3)
    placed = {trips[0].booking_id: "Buss 3"}
    kept = keep_placements(again, placed, trips, TUESDAY, RULES_3, RULES_3.travel())
    assert bus_of(kept, trips[0].booking_id) == ("Buss 3", "Buss 3")
    assert violations(kept, trips, TUESDAY, RULES_3, RULES_3.travel()) == []
    # Where the bus can no longer take the class, the plan's own placement stands.
    big = dataclasses.replace(trips[0], pupils=40)
    trips = [big, trips[1]]
    again = plan_day(TUESDAY, trips, RULES_3)
    kept = keep_placements(again, placed, trips, TUESDAY, RULES_3, RULES_3.travel())
    assert kept == again
