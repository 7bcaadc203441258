"""An independent check of a plan against the rules, sharing nothing with the planner but the
travel times: it walks every bus's stops and says, in words, each rule it finds broken."""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from transport.domain.plan import BusRun, DayPlan, Leg, StopKind
from transport.domain.rules import BusRules
from transport.domain.travel import Travel
from transport.domain.trips import ClassTrip, Day


def violations(
    plan: DayPlan, trips: Sequence[ClassTrip], day: Day, rules: BusRules, travel: Travel
) -> list[str]:
    by_booking = {trip.booking_id: trip for trip in trips}
    found = [
        f"bus {name} has {count} runs: it would be in two places"
        for name, count in Counter(run.bus.name for run in plan.runs).items()
        if count > 1
    ]
    legs: Counter[tuple[UUID, Leg]] = Counter()
    for run in plan.runs:
        found += _walk(run, by_booking, day, rules, travel)
        legs.update((stop.booking_id, stop.leg) for stop in run.stops)
    for booking in plan.served():
        if booking not in by_booking:
            found.append(f"booking {booking} is planned but was never asked for")
        elif booking in plan.unserved:
            found.append(f"booking {booking} is both served and refused")
        for leg in Leg:
            if legs[booking, leg] != 2:
                found.append(f"booking {booking} has {legs[booking, leg]} stops going {leg}")
    found += [
        f"booking {booking} is neither served nor refused"
        for booking in by_booking
        if booking not in plan.served() and booking not in plan.unserved
    ]
    return found


def _walk(
    run: BusRun, by_booking: dict[UUID, ClassTrip], day: Day, rules: BusRules, travel: Travel
) -> list[str]:
    bus = run.bus
    assert bus.depot is not None
    found = []
    opens, closes = day.at(day.clock(rules.opens)), day.at(day.clock(rules.closes))
    if run.leaves_depot < opens or run.back_at_depot > closes:
        found.append(f"bus {bus.name} runs outside its operating hours")
    places = [bus.depot, *(stop.place for stop in run.stops), bus.depot]
    seconds = travel.matrix(places).seconds
    stop_time = timedelta(minutes=rules.stop_min)
    free_at = run.leaves_depot
    seats = wheelchairs = 0
    boarded: dict[tuple[UUID, Leg], datetime] = {}
    for k, stop in enumerate(run.stops):
        at = f"bus {bus.name} at stop {k + 1} ({stop.kind} {stop.booking_id} {stop.leg})"
        arrives = free_at + timedelta(seconds=seconds[k][k + 1])
        if stop.at < arrives:
            found.append(f"{at} at {stop.at:%H:%M}, but it cannot be there before {arrives:%H:%M}")
        free_at = max(stop.at, arrives) + stop_time
        trip = by_booking.get(stop.booking_id)
        if trip is None:
            continue
        school_side = (stop.leg is Leg.THERE) == (stop.kind is StopKind.PICK_UP)
        if stop.place != (trip.school if school_side else trip.venue):
            found.append(f"{at} is at the wrong place")
        key = (stop.booking_id, stop.leg)
        if stop.kind is StopKind.PICK_UP:
            seats += trip.travellers
            wheelchairs += trip.wheelchair_places
            boarded[key] = stop.at
            if stop.at < day.at(day.clock(rules.earliest_pickup)):
                found.append(f"{at} picks up before the earliest pick-up")
            if stop.leg is Leg.BACK and stop.at < trip.ends_at + timedelta(
                minutes=rules.leave_after_min
            ):
                found.append(f"{at} leaves the venue too soon after the end")
        else:
            if key not in boarded:
                found.append(f"{at} drops off a class that is not on board")
                continue
            seats -= trip.travellers
            wheelchairs -= trip.wheelchair_places
            if stop.at - boarded.pop(key) > rules.max_ride:
                found.append(f"{at}: the class rode longer than {rules.max_ride_min} minutes")
            if stop.at > day.at(day.clock(rules.latest_dropoff)):
                found.append(f"{at} drops off after the latest drop-off")
            if stop.leg is Leg.THERE and stop.at > trip.starts_at - timedelta(
                minutes=rules.arrive_before_min
            ):
                found.append(f"{at} arrives too close to the start")
        if seats > bus.seats or wheelchairs > bus.wheelchair_places:
            found.append(f"{at} carries {seats} travellers and {wheelchairs} wheelchairs")
    if boarded:
        found.append(f"bus {bus.name} ends its day with classes on board")
    back = free_at + timedelta(seconds=seconds[-2][-1])
    if run.back_at_depot < back:
        found.append(f"bus {bus.name} cannot be back at its depot by {run.back_at_depot:%H:%M}")
    return found
