"""An independent check of a plan against the rules, sharing nothing with the planner but the
travel times: it walks every bus's stops and says, in words, each rule it finds broken."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from transport.domain.plan import BusRun, DayPlan, Leg, StopKind
from transport.domain.rules import BusRules
from transport.domain.travel import Travel
from transport.domain.trips import ClassTrip, Day


class Rule(StrEnum):
    """The rule a finding breaks, so that a reader can be told it in her own language."""

    ONE_PLACE = "one_place"  # a bus is in one place at a time
    FLEET = "fleet"  # only the fleet's buses run
    DEPOT = "depot"  # each bus starts and ends at its own depot
    HOURS = "hours"  # the buses' operating hours
    DRIVING_TIME = "driving_time"  # a bus needs the time to drive between stops
    PLACES = "places"  # a class boards at its school and at its venue
    SEATS = "seats"  # travellers and wheelchair places within the bus's
    RIDE_TIME = "ride_time"  # the longest ride on board
    EARLIEST_PICKUP = "earliest_pickup"
    LATEST_DROPOFF = "latest_dropoff"
    ARRIVE_BEFORE = "arrive_before"  # at the venue the margin before the start
    LEAVE_AFTER = "leave_after"  # from the venue no earlier than the margin after the end
    WHOLE_TRIP = "whole_trip"  # a class goes there and back, or is told why not
    ONE_TRIP_A_YEAR = "one_trip_a_year"


@dataclass(frozen=True, slots=True)
class Violation:
    rule: Rule
    words: str

    def __str__(self) -> str:
        return self.words


def violations(
    plan: DayPlan, trips: Sequence[ClassTrip], day: Day, rules: BusRules, travel: Travel
) -> list[str]:
    return [v.words for v in broken_rules(plan, trips, day, rules, travel)]


def broken_rules(
    plan: DayPlan, trips: Sequence[ClassTrip], day: Day, rules: BusRules, travel: Travel
) -> list[Violation]:
    by_booking = {trip.booking_id: trip for trip in trips}
    found = [
        Violation(Rule.ONE_PLACE, f"bus {name} has {count} runs: it would be in two places")
        for name, count in Counter(run.bus.name for run in plan.runs).items()
        if count > 1
    ]
    legs: Counter[tuple[UUID, Leg]] = Counter()
    for run in plan.runs:
        found += _walk(run, by_booking, day, rules, travel)
        legs.update((stop.booking_id, stop.leg) for stop in run.stops)
    whole = Rule.WHOLE_TRIP
    for booking in plan.served():
        if booking not in by_booking:
            found.append(Violation(whole, f"booking {booking} is planned but was never asked for"))
        elif booking in plan.unserved:
            found.append(Violation(whole, f"booking {booking} is both served and refused"))
        for leg in Leg:
            if legs[booking, leg] != 2:
                said = f"booking {booking} has {legs[booking, leg]} stops going {leg}"
                found.append(Violation(whole, said))
    if rules.one_trip_per_school_year:
        found += _one_trip_a_year([by_booking[b] for b in plan.served() if b in by_booking])
    found += [
        Violation(whole, f"booking {booking} is neither served nor refused")
        for booking in by_booking
        if booking not in plan.served() and booking not in plan.unserved
    ]
    return found


def _one_trip_a_year(served: list[ClassTrip]) -> list[Violation]:
    found = [
        Violation(
            Rule.ONE_TRIP_A_YEAR,
            f"booking {trip.booking_id} takes the bus, but its group has had its trip this"
            " school year",
        )
        for trip in served
        if trip.group_had_its_trip
    ]
    return found + [
        Violation(
            Rule.ONE_TRIP_A_YEAR,
            f"group {group} has {count} bus trips on one day, but one a school year",
        )
        for group, count in Counter(t.group_id for t in served if t.group_id).items()
        if count > 1
    ]


def _walk(
    run: BusRun, by_booking: dict[UUID, ClassTrip], day: Day, rules: BusRules, travel: Travel
) -> list[Violation]:
    own = {bus.name: bus for bus in rules.fleet}
    if run.bus.name not in own:
        return [Violation(Rule.FLEET, f"bus {run.bus.name} is not in the fleet")]
    bus = own[run.bus.name]  # its seats and depot as the rules have them, not as the plan says
    found = [
        Violation(Rule.DEPOT, f"bus {bus.name} {verb} at {place}, not at its own depot {bus.depot}")
        for verb, place in (("starts its day", run.depot), ("ends its day", run.home))
        if place != bus.depot
    ]
    opens, closes = day.at(day.clock(rules.opens)), day.at(day.clock(rules.closes))
    if run.leaves_depot < opens or run.back_at_depot > closes:
        found.append(Violation(Rule.HOURS, f"bus {bus.name} runs outside its operating hours"))
    places = [run.depot, *(stop.place for stop in run.stops), run.home]
    seconds = travel.matrix(places).seconds
    stop_time = timedelta(minutes=rules.stop_min)
    free_at = run.leaves_depot
    seats = wheelchairs = 0
    boarded: dict[tuple[UUID, Leg], datetime] = {}
    for k, stop in enumerate(run.stops):
        at = f"bus {bus.name} at stop {k + 1} ({stop.kind} {stop.booking_id} {stop.leg})"
        arrives = free_at + timedelta(seconds=seconds[k][k + 1])
        if stop.at < arrives:
            found.append(
                Violation(
                    Rule.DRIVING_TIME,
                    f"{at} at {stop.at:%H:%M}, but it cannot be there before {arrives:%H:%M}",
                )
            )
        free_at = max(stop.at, arrives) + stop_time
        trip = by_booking.get(stop.booking_id)
        if trip is None:
            continue
        school_side = (stop.leg is Leg.THERE) == (stop.kind is StopKind.PICK_UP)
        if stop.place != (trip.school if school_side else trip.venue):
            found.append(Violation(Rule.PLACES, f"{at} is at the wrong place"))
        key = (stop.booking_id, stop.leg)
        if stop.kind is StopKind.PICK_UP:
            seats += trip.travellers
            wheelchairs += trip.wheelchair_places
            boarded[key] = stop.at
            if stop.at < day.at(day.clock(rules.earliest_pickup)):
                said = f"{at} picks up before the earliest pick-up"
                found.append(Violation(Rule.EARLIEST_PICKUP, said))
            if stop.leg is Leg.BACK and stop.at < trip.ends_at + timedelta(
                minutes=rules.leave_after_min
            ):
                said = f"{at} leaves the venue too soon after the end"
                found.append(Violation(Rule.LEAVE_AFTER, said))
        else:
            if key not in boarded:
                said = f"{at} drops off a class that is not on board"
                found.append(Violation(Rule.WHOLE_TRIP, said))
                continue
            seats -= trip.travellers
            wheelchairs -= trip.wheelchair_places
            if stop.at - boarded.pop(key) > rules.max_ride:
                said = f"{at}: the class rode longer than {rules.max_ride_min} minutes"
                found.append(Violation(Rule.RIDE_TIME, said))
            if stop.at > day.at(day.clock(rules.latest_dropoff)):
                said = f"{at} drops off after the latest drop-off"
                found.append(Violation(Rule.LATEST_DROPOFF, said))
            if stop.leg is Leg.THERE and stop.at > trip.starts_at - timedelta(
                minutes=rules.arrive_before_min
            ):
                said = f"{at} arrives too close to the start"
                found.append(Violation(Rule.ARRIVE_BEFORE, said))
        if seats > bus.seats or wheelchairs > bus.wheelchair_places:
            said = f"{at} carries {seats} travellers and {wheelchairs} wheelchairs"
            found.append(Violation(Rule.SEATS, said))
    if boarded:
        said = f"bus {bus.name} ends its day with classes on board"
        found.append(Violation(Rule.WHOLE_TRIP, said))
    back = free_at + timedelta(seconds=seconds[-2][-1])
    if run.back_at_depot < back:
        said = f"bus {bus.name} cannot be back at its depot by {run.back_at_depot:%H:%M}"
        found.append(Violation(Rule.HOURS, said))
    return found
