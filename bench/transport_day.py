"""How well the culture bus is planned: a Malmö-sized day and a term, beside a naive plan.

A generated day: 60 classes from 40 schools going to 12 occurrences at 6 venues, with 8 buses
from one depot. The planner (PyVRP, transport.domain.plan_day) shares buses between schools and
gives each bus several trips; the naive plan sends one bus there and back per class, in booking
order, while one is free. Both plan the same bookings with the same travel times, and the
independent checker checks the planner's day. The term plans every school day of a term, one
by one.

Every class the plan leaves without a bus (no bus free) is tried again: the day planned again
with only the classes served and it, its prize dominating (plan_day's favoured); a plan the
checker accepts that serves it with all the others counts it as "unserved that a feasible plan
could add" (aim: 0). Putting it on each bus by hand (move_class) was tried as well: 5.7 s a bus
on a 60-class day on the shared machine, too slow to check every bus. The term is not checked
so (a solve per class left out, on every day, would take the term several times as long).

Run with `.venv/bin/python -m bench.transport_day [--smoke]`.
"""

import argparse
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from transport.domain import (
    Bus,
    BusRules,
    ClassTrip,
    Day,
    DayPlan,
    Place,
    Reason,
    ineligible,
    plan_day,
    violations,
)

SEED = 20270316
MALMO = ZoneInfo("Europe/Stockholm")
FIRST_DAY = date(2027, 3, 15)  # a Monday
DEPOT = Place(55.5720, 13.0450)
STARTS = ((9, 0), (9, 30), (10, 0), (10, 30), (12, 30), (13, 0))


@dataclass(frozen=True)
class Size:
    classes: int
    schools: int
    occurrences: int
    venues: int
    buses: int
    term_days: int


FULL = Size(classes=60, schools=40, occurrences=12, venues=6, buses=8, term_days=20)
SMOKE = Size(classes=12, schools=8, occurrences=3, venues=2, buses=3, term_days=2)


@dataclass(frozen=True)
class Outcome:
    seconds: float
    buses: int
    metres: int
    served: int
    addable: int = 0  # unserved classes a feasible plan could add to all it serves


def addable(day: Day, trips: Sequence[ClassTrip], rules: BusRules, plan: DayPlan) -> list[UUID]:
    """The classes left without a bus (no bus free) that some plan keeping every rule serves
    together with every class this plan serves: the day planned again with only those classes
    and its prize dominating; the checker decides."""
    travel, served = rules.travel(), plan.served()
    found = []
    for trip in trips:
        if plan.unserved.get(trip.booking_id) is not Reason.NO_BUS_FREE:
            continue  # served, or refused by a rule that no plan can change
        wanted = served | {trip.booking_id}
        others = [t for t in trips if t.booking_id in wanted]
        tries = [plan_day(day, others, rules, favoured=frozenset({trip.booking_id}))]
        if any(
            p.served() >= wanted and not violations(p, others, day, rules, travel) for p in tries
        ):
            found.append(trip.booking_id)
    return found


def _somewhere(rng: random.Random, spread: float) -> Place:
    return Place(55.595 + rng.uniform(-spread, spread), 13.01 + rng.uniform(-1.8, 1.8) * spread)


def generate(rng: random.Random, size: Size, day: Day) -> tuple[BusRules, list[ClassTrip]]:
    """Schools across Malmö, venues near the centre, classes booked in a random order."""
    schools = [_somewhere(rng, 0.045) for _ in range(size.schools)]
    venues = [_somewhere(rng, 0.012) for _ in range(size.venues)]
    occurrences = []
    for n in range(size.occurrences):
        starts = datetime.combine(day.date, clock(*rng.choice(STARTS)), tzinfo=MALMO)
        occurrences.append((uuid4(), venues[n % size.venues], starts.astimezone(UTC)))
    trips = []
    for n in range(size.classes):
        occurrence_id, venue, starts_at = rng.choice(occurrences)
        trips.append(
            ClassTrip(
                booking_id=uuid4(),
                occurrence_id=occurrence_id,
                school=schools[n % size.schools],
                venue=venue,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=rng.choice((45, 60, 75))),
                pupils=rng.randint(16, 28),
                adults=2,
                wheelchair_places=1 if rng.random() < 0.05 else 0,
                booked_at=starts_at - timedelta(days=rng.randint(20, 60)),
            )
        )
    fleet = tuple(
        Bus(f"Buss {n + 1}", seats=60 if n % 4 == 0 else 50, wheelchair_places=n % 2, depot=DEPOT)
        for n in range(size.buses)
    )
    return BusRules(fleet=fleet), trips


def naive(day: Day, trips: Sequence[ClassTrip], rules: BusRules) -> Outcome:
    """One bus per class, there and back from the depot each way, in booking order, on the
    first bus that is free and big enough for both legs."""
    started = time.perf_counter()
    travel = rules.travel()
    stop = timedelta(minutes=rules.stop_min)
    busy: dict[str, list[tuple[datetime, datetime]]] = {bus.name: [] for bus in rules.fleet}
    metres = served = 0
    for trip in sorted(trips, key=lambda t: t.booked_at):
        assert trip.school is not None and trip.venue is not None
        if ineligible(trip, day, rules, travel.metres(trip.school, trip.venue)) is not None:
            continue
        m = travel.matrix([DEPOT, trip.school, trip.venue])
        there = m.seconds[0][1] + m.seconds[1][2]
        arrive = trip.starts_at - timedelta(minutes=rules.arrive_before_min)
        leave = trip.ends_at + timedelta(minutes=rules.leave_after_min)
        legs = [
            (arrive - stop - timedelta(seconds=there), arrive + timedelta(seconds=m.seconds[2][0])),
            (leave - timedelta(seconds=m.seconds[0][2]), leave + stop + timedelta(seconds=there)),
        ]
        for bus in rules.fleet:
            fits = bus.seats >= trip.travellers and bus.wheelchair_places >= trip.wheelchair_places
            free = all(end <= s or start >= e for start, end in legs for s, e in busy[bus.name])
            if fits and free:
                busy[bus.name] += legs
                metres += 2 * (m.metres[0][1] + m.metres[1][2] + m.metres[2][0])
                served += 1
                break
    used = sum(1 for intervals in busy.values() if intervals)
    return Outcome(time.perf_counter() - started, used, metres, served)


def planned(
    day: Day, trips: Sequence[ClassTrip], rules: BusRules, *, check: bool = True
) -> Outcome:
    started = time.perf_counter()
    plan = plan_day(day, trips, rules)
    seconds = time.perf_counter() - started
    problems = violations(plan, trips, day, rules, rules.travel())
    assert not problems, problems
    more = len(addable(day, trips, rules, plan)) if check else 0
    return Outcome(seconds, len(plan.runs), plan.metres, len(plan.served()), more)


def _row(name: str, outcome: Outcome, days: int, eligible: int, *, checked: bool) -> str:
    more = f"{outcome.addable:>13}" if checked else f"{'-':>13}"
    return (
        f"| {name:<28} | {outcome.seconds / days:>9.2f} s | {outcome.buses:>5} "
        f"| {outcome.metres / 1000:>8.1f} | {outcome.served:>4}/{eligible:<4} "
        f"| {_per_class(outcome) / 1000:>11.1f} | {more} |"
    )


def _per_class(outcome: Outcome) -> float:
    return outcome.metres / max(outcome.served, 1)


def _saved(ours: Outcome, naive: Outcome) -> str:
    """Bus-km per class served, as the naive plan serves fewer classes with the same buses."""
    return f"{1 - _per_class(ours) / _per_class(naive):.0%} fewer bus-km per class served"


def _eligible(day: Day, trips: Sequence[ClassTrip], rules: BusRules) -> int:
    travel = rules.travel()
    return sum(
        1
        for t in trips
        if t.school
        and t.venue
        and ineligible(t, day, rules, travel.metres(t.school, t.venue)) is None
    )


def _add(a: Outcome, b: Outcome) -> Outcome:
    return Outcome(
        a.seconds + b.seconds,
        a.buses + b.buses,
        a.metres + b.metres,
        a.served + b.served,
        a.addable + b.addable,
    )


def main(size: Size = FULL) -> None:
    rng = random.Random(SEED)
    header = (
        "| plan                         | per day     | buses | bus-km   | served    "
        "| km per class | could add (0) |\n"
        "|------------------------------|-------------|-------|----------|-----------"
        "|--------------|---------------|"
    )
    day = Day(FIRST_DAY + timedelta(days=1), MALMO)
    rules, trips = generate(rng, size, day)
    eligible = _eligible(day, trips, rules)
    ours, theirs = planned(day, trips, rules), naive(day, trips, rules)
    print(
        f"\nOne day: {size.classes} classes, {size.schools} schools, {size.occurrences} "
        f"occurrences at {size.venues} venues, {size.buses} buses ({eligible} may have one)"
    )
    print(header)
    print(_row("PyVRP (transport.plan_day)", ours, 1, eligible, checked=True))
    print(_row("naive: a bus per class", theirs, 1, eligible, checked=False))
    print(
        f"{_saved(ours, theirs)} (aim: at least 30%); "
        f"day planned in {ours.seconds:.1f} s (aim: under 10 s); "
        f"{ours.addable} unserved that a feasible plan could add (aim: 0)"
    )
    zero = Outcome(0.0, 0, 0, 0)
    term_ours, term_theirs, term_eligible = zero, zero, 0
    school_days = [FIRST_DAY + timedelta(days=n) for n in range(size.term_days * 7 // 5 + 2)]
    school_days = [d for d in school_days if d.weekday() < 5][: size.term_days]
    for date_ in school_days:
        term_day = Day(date_, MALMO)
        busy_size = Size(
            **{**size.__dict__, "classes": rng.randint(size.classes // 3, size.classes)}
        )
        rules, trips = generate(rng, busy_size, term_day)
        term_eligible += _eligible(term_day, trips, rules)
        term_ours = _add(term_ours, planned(term_day, trips, rules, check=False))
        term_theirs = _add(term_theirs, naive(term_day, trips, rules))
    print(f"\nA term: {len(school_days)} school days planned one by one (buses: bus-days)")
    print(header)
    days = len(school_days)
    print(_row("PyVRP (transport.plan_day)", term_ours, days, term_eligible, checked=False))
    print(_row("naive: a bus per class", term_theirs, days, term_eligible, checked=False))
    print(f"over the term: {_saved(term_ours, term_theirs)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.transport_day", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a small day and a two-day term")
    main(SMOKE if parser.parse_args().smoke else FULL)
