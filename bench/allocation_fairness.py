"""How fairly and how fast the fair draw shares seats out, beside first come and a plain lottery.

Two generated scenarios, both seeded: a municipality's term (about 100 schools, 1,500 groups,
40 events with 200 occurrences, one draw per event as its window closes, each draw seeing the
seats handed out before it) and a national draw (20,000 group requests over 2,000 occurrences,
decided at once). Each rule decides the same requests. Beside them, the max-min bound: the
largest t such that every school that asked could get t seats per pupil, if groups could be
split.

Requests arrive the way they do in real life: a school's culture contact is more or less
organised; the well organised ask early, for many events and for many of their groups; some
schools never ask at all. Those are reported apart, since no allocation rule reaches them.

Then the same two sizes for each family of requests in FAMILIES (schools asking a similar share
of their groups, one occurrence per request, few large occurrences, demand 1.2, 2 and 4 times
the seats), the draw alone beside the draw with the worst-off schools lifted
(`allocation.domain.worst_off`).

Run with `.venv/bin/python -m bench.allocation_fairness`.
"""

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import count
from uuid import UUID

from allocation.domain import (
    Allocation,
    FairnessFigures,
    Occurrence,
    Received,
    Seating,
    SeatRequest,
    Share,
    TermHistory,
    allocate_fairly,
    fairness_figures,
    levelled_bound,
    max_min_bound,
)
from kulturbro_contracts.vocabulary import BookingPolicy

SEED = 20270115
TERM_STARTS = datetime(2027, 1, 11, 7, tzinfo=UTC)
DISTRICTS = ("Centrum", "Hyllie", "Norr", "Rosengård", "Söder", "Väster")
GRADES = range(10)  # preschool class, then grades 1 to 9


@dataclass(frozen=True)
class Family:
    """How a family of generated requests differs from the way schools ask today."""

    name: str
    similar_share: bool = False
    """Every school that asks asks for about the same share of its eligible groups."""
    choices: tuple[int, ...] = (1, 1, 2, 2, 3)
    """How many occurrences a request names, drawn from these."""
    occurrences_per_event: int = 5
    capacities: tuple[int, ...] = (60, 90, 120, 150, 200)
    demand: float | None = None
    """Seats asked for over seats offered, reached by scaling capacities; None: as asked."""


CURRENT = Family("current")
FAMILIES = (
    CURRENT,
    Family("similar share, two choices, demand 2x", similar_share=True, choices=(2,), demand=2),
    Family("one occurrence per request", choices=(1,)),
    Family("few, large occurrences", occurrences_per_event=2, capacities=(300, 400, 500)),
    Family("demand 1.2x", similar_share=True, demand=1.2),
    Family("demand 2x", similar_share=True, demand=2),
    Family("demand 4x", similar_share=True, demand=4),
)


@dataclass(frozen=True)
class School:
    unit_id: UUID
    district: str
    organised: float
    """0 for a school that never asks; near 1 for a culture contact who asks early and often."""


@dataclass(frozen=True)
class Group:
    group_id: UUID
    school: School
    grade: int
    pupils: int
    adults: int


@dataclass(frozen=True)
class Event:
    event_id: UUID
    grades: frozenset[int]
    occurrences: tuple[Occurrence, ...]
    window_opens: datetime
    window_closes: datetime


@dataclass(frozen=True)
class Scenario:
    name: str
    schools: list[School]
    groups: list[Group]
    events: list[Event]
    requests: list[SeatRequest]

    @property
    def occurrences(self) -> list[Occurrence]:
        return [occurrence for event in self.events for occurrence in event.occurrences]

    def school_pupils(self) -> dict[UUID, int]:
        pupils: dict[UUID, int] = {school.unit_id: 0 for school in self.schools}
        for group in self.groups:
            pupils[group.school.unit_id] += group.pupils
        return pupils

    def start_of_term(self) -> TermHistory:
        return TermHistory(
            schools={unit: Received(0, pupils) for unit, pupils in self.school_pupils().items()},
            groups={group.group_id: Received(0, group.pupils) for group in self.groups},
        )


def generate(
    name: str,
    rng: random.Random,
    schools: int,
    groups: int,
    events: int,
    requests: int | None,
    family: Family = CURRENT,
) -> Scenario:
    """`requests` None lets the schools ask as they would; a number samples exactly that many."""
    ids = (UUID(int=n) for n in count(1))
    all_schools = [
        School(next(ids), rng.choice(DISTRICTS), _organisation(rng, family)) for _ in range(schools)
    ]
    # School sizes vary from a few classes to a large school.
    weights = [rng.uniform(0.3, 2.0) for _ in all_schools]
    all_groups = []
    for school in rng.choices(all_schools, weights=weights, k=groups):
        grade = rng.choice(GRADES)
        pupils = rng.randint(14, 30)
        all_groups.append(Group(next(ids), school, grade, pupils, 2 if grade < 4 else 1))
    all_events = []
    for _ in range(events):
        first = rng.randint(0, 8)
        grades = frozenset(range(first, min(first + rng.randint(2, 3), 10)))
        opens = TERM_STARTS + timedelta(days=rng.uniform(0, 100))
        closes = opens + timedelta(days=14)
        event_id = next(ids)
        occurrences = tuple(
            Occurrence(
                next(ids),
                event_id,
                rng.choice(family.capacities),
                closes + timedelta(days=rng.uniform(14, 40)),
            )
            for _ in range(family.occurrences_per_event)
        )
        all_events.append(Event(event_id, grades, occurrences, opens, closes))
    asked = list(_requests(rng, ids, all_groups, all_events, family.choices))
    if requests is not None:
        asked = sorted(rng.sample(asked, requests), key=lambda request: request.requested_at)
    if family.demand is not None:
        all_events = _scaled(all_events, sum(r.seats for r in asked) / family.demand)
    return Scenario(name, all_schools, all_groups, all_events, asked)


def _organisation(rng: random.Random, family: Family) -> float:
    if rng.random() < 0.12:
        return 0.0
    return 0.45 if family.similar_share else rng.betavariate(1.2, 1.8)


def _scaled(events: list[Event], seats: float) -> list[Event]:
    """The events with their occurrences' capacities scaled to offer about `seats` in all, each
    still holding the largest group (32 seats)."""
    factor = seats / sum(o.capacity for event in events for o in event.occurrences)
    return [
        replace(
            event,
            occurrences=tuple(
                replace(o, capacity=max(32, round(o.capacity * factor))) for o in event.occurrences
            ),
        )
        for event in events
    ]


def _requests(
    rng: random.Random,
    ids: Iterator[UUID],
    groups: Sequence[Group],
    events: Sequence[Event],
    choices: Sequence[int],
) -> Iterable[SeatRequest]:
    by_grade: dict[int, list[Group]] = {grade: [] for grade in GRADES}
    for group in groups:
        by_grade[group.grade].append(group)
    for event in events:
        # Some occurrences suit more schools than others; a teacher lists one to three.
        popularity = [rng.uniform(0.5, 3.0) for _ in event.occurrences]
        for grade in sorted(event.grades):
            for group in by_grade[grade]:
                organised = group.school.organised
                if organised == 0 or rng.random() > 0.05 + 0.6 * organised:
                    continue
                delay_days = rng.expovariate(1 / (0.3 + 8 * (1 - organised)))
                requested_at = event.window_opens + timedelta(days=min(delay_days, 13.9))
                yield SeatRequest(
                    booking_id=next(ids),
                    event_id=event.event_id,
                    group_id=group.group_id,
                    unit_id=group.school.unit_id,
                    district=group.school.district,
                    pupils=group.pupils,
                    adults=group.adults,
                    occurrence_ids=_preferences(rng, event.occurrences, popularity, choices),
                    requested_at=requested_at,
                )


def _preferences(
    rng: random.Random,
    occurrences: Sequence[Occurrence],
    popularity: Sequence[float],
    choices: Sequence[int],
) -> tuple[UUID, ...]:
    wanted = min(rng.choice(choices), len(occurrences))
    left, weights, chosen = list(occurrences), list(popularity), []
    for _ in range(wanted):
        pick = rng.choices(range(len(left)), weights=weights)[0]
        chosen.append(left.pop(pick).id)
        weights.pop(pick)
    return tuple(chosen)


Rule = Callable[[Scenario], list[Allocation]]


def fair_draw(scenario: Scenario, lifts_worst_off: bool = True) -> list[Allocation]:
    """One draw per event as its window closes, each seeing the seats handed out before it."""
    history = scenario.start_of_term()
    requests_for: dict[UUID, list[SeatRequest]] = {event.event_id: [] for event in scenario.events}
    for request in scenario.requests:
        requests_for[request.event_id].append(request)
    allocations: list[Allocation] = []
    for event in sorted(scenario.events, key=lambda event: event.window_closes):
        draw = allocate_fairly(
            event.occurrences,
            requests_for[event.event_id],
            history,
            seed=SEED,
            lifts_worst_off=lifts_worst_off,
        )
        decided = draw.seating.allocations()
        history = history.adding(decided)
        allocations += decided
    return allocations


def national_fair_draw(scenario: Scenario, lifts_worst_off: bool = True) -> list[Allocation]:
    draw = allocate_fairly(
        scenario.occurrences,
        scenario.requests,
        scenario.start_of_term(),
        seed=SEED,
        lifts_worst_off=lifts_worst_off,
    )
    return draw.seating.allocations()


def first_come_first_served(scenario: Scenario) -> list[Allocation]:
    return _in_order(scenario, sorted(scenario.requests, key=lambda r: r.requested_at))


def plain_lottery(scenario: Scenario) -> list[Allocation]:
    shuffled = list(scenario.requests)
    random.Random(SEED).shuffle(shuffled)
    return _in_order(scenario, shuffled)


def _in_order(scenario: Scenario, requests: Iterable[SeatRequest]) -> list[Allocation]:
    seating = Seating(scenario.occurrences, BookingPolicy.INSTANT)
    for request in requests:
        seating.request(request)
    return seating.allocations()


@dataclass(frozen=True)
class Bound:
    name: str
    seconds: float
    level: float


@dataclass(frozen=True)
class Outcome:
    rule: str
    seconds: float
    cpu_seconds: float
    """This process's CPU time: on a shared machine, wall time also measures the neighbours."""
    figures: FairnessFigures
    levelled_shares: list[float]
    """Per school that asked: its seats per pupil over what the levelled share-out gives it."""


def measure(scenario: Scenario, rules: dict[str, Rule]) -> tuple[list[Outcome], Bound, Bound]:
    pupils = scenario.school_pupils()
    max_min, levelled = (
        _bound(name, find, scenario, pupils)
        for name, find in (("max-min bound", max_min_bound), ("levelled bound", levelled_bound))
    )
    asked = Counter[UUID]()
    for request in scenario.requests:
        asked[request.unit_id] += request.seats
    asking_pupils = {unit: pupils[unit] for unit in asked}
    # What the levelled share-out gives a school: the level, or all it asked for if less.
    entitled = {unit: min(levelled.level, asked[unit] / pupils[unit]) for unit in asked}
    asking_groups = {r.group_id for r in scenario.requests}
    outcomes = []
    for name, rule in rules.items():
        started, cpu_started = time.perf_counter(), time.process_time()
        allocations = rule(scenario)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        figures = fairness_figures(allocations, scenario.occurrences, asking_pupils, asking_groups)
        shares = [figures.seats_per_pupil[unit] / entitled[unit] for unit in asked]
        outcomes.append(Outcome(name, seconds, cpu_seconds, figures, sorted(shares)))
    return outcomes, max_min, levelled


def _bound(
    name: str, find: Callable[..., float], scenario: Scenario, pupils: dict[UUID, int]
) -> Bound:
    started = time.perf_counter()
    level = find(scenario.occurrences, scenario.requests, pupils)
    return Bound(name, time.perf_counter() - started, level)


def never_asked(scenario: Scenario) -> str:
    pupils = scenario.school_pupils()
    askers = {r.unit_id for r in scenario.requests}
    silent = [school.unit_id for school in scenario.schools if school.unit_id not in askers]
    return (
        f"{len(silent)} of {len(scenario.schools)} schools ({sum(pupils[u] for u in silent):,} "
        f"of {sum(pupils.values()):,} pupils) never asked"
    )


COLUMNS = (
    ("rule", 24),
    ("decided in", 10),
    ("Gini", 5),
    ("lowest", 6),
    ("of max-min", 10),
    ("of levelled: lowest", 19),
    ("10th pct", 8),
    ("schools reached", 15),
    ("groups reached", 15),
    ("capacity used", 13),
)


def print_table(
    scenario: Scenario, outcomes: list[Outcome], max_min: Bound, levelled: Bound
) -> None:
    requests, occurrences = len(scenario.requests), len(scenario.occurrences)
    print(f"\n{scenario.name}: {requests:,} requests, {occurrences:,} occurrences")
    _print_row([name for name, _ in COLUMNS], align="<")
    print("|" + "|".join("-" * (width + 2) for _, width in COLUMNS) + "|")
    for outcome in outcomes:
        figures = outcome.figures
        _print_row(
            [
                outcome.rule,
                _milliseconds(outcome.seconds),
                f"{figures.gini:.3f}",
                f"{figures.lowest_seats_per_pupil:.3f}",
                _percent(figures.lowest_seats_per_pupil, max_min.level),
                f"{outcome.levelled_shares[0]:.0%}",
                f"{outcome.levelled_shares[len(outcome.levelled_shares) // 10]:.0%}",
                _share(figures.schools_reached),
                _share(figures.groups_reached),
                f"{figures.capacity_used.ratio:.1%}",
            ]
        )
    for bound in (max_min, levelled):
        # A bound's t stands where the rules' lowest seats per pupil do.
        _print_row([f"{bound.name} (LP)", _milliseconds(bound.seconds), "", f"{bound.level:.3f}"])
    print(
        f"Only schools that asked are measured: {never_asked(scenario)}, so no rule reaches them."
    )


def _print_row(cells: list[str], align: str = ">") -> None:
    cells = cells + [""] * (len(COLUMNS) - len(cells))
    aligned = [
        f"{cell:{'<' if index == 0 else align}{width}}"
        for index, (cell, (_, width)) in enumerate(zip(cells, COLUMNS, strict=True))
    ]
    print("| " + " | ".join(aligned) + " |")


def _milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def _percent(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else ""


def _share(share: Share) -> str:
    return f"{share.part}/{share.whole} {share.ratio:.0%}"


def aims(outcomes: list[Outcome], max_min: Bound) -> list[str]:
    by_rule = {outcome.rule: outcome for outcome in outcomes}
    fair, first_come = by_rule["fair draw"], by_rule["first come, first served"]
    checks = [
        ("decided in under 2 s of CPU", fair.cpu_seconds < 2),
        ("Gini at most half of first come's", fair.figures.gini <= first_come.figures.gini / 2),
        (
            "lowest seats per pupil at least 80% of the max-min bound",
            fair.figures.lowest_seats_per_pupil >= 0.8 * max_min.level,
        ),
    ]
    return [f"{'met' if met else 'NOT met'}: {aim}" for aim, met in checks]


FAMILY_COLUMNS = (
    ("family", 38),
    ("size", 12),
    ("requests", 8),
    ("rule", 16),
    ("decided in", 10),
    ("CPU", 8),
    ("Gini", 5),
    ("lowest of max-min", 17),
    ("10th pct of levelled", 20),
    ("capacity used", 13),
    ("aims", 4),
)


def print_family_row(
    family: Family, scenario: Scenario, outcomes: list[Outcome], max_min: Bound, national: bool
) -> None:
    """Each family's draw alone and with the lifts; the aims are checked for the lifts: lowest
    at least 80% of the max-min bound, capacity used no lower than the draw's alone, and a
    national draw decided in under 2 s of CPU."""
    alone = outcomes[0]
    for outcome in outcomes:
        figures = outcome.figures
        met = outcome is alone or (
            figures.lowest_seats_per_pupil >= 0.8 * max_min.level
            and figures.capacity_used.part >= alone.figures.capacity_used.part
            and (not national or outcome.cpu_seconds < 2)
        )
        cells = [
            family.name,
            scenario.name,
            f"{len(scenario.requests):,}",
            outcome.rule,
            _milliseconds(outcome.seconds),
            _milliseconds(outcome.cpu_seconds),
            f"{figures.gini:.3f}",
            _percent(figures.lowest_seats_per_pupil, max_min.level),
            f"{outcome.levelled_shares[len(outcome.levelled_shares) // 10]:.0%}",
            f"{figures.capacity_used.ratio:.1%}",
            "" if outcome is alone else ("met" if met else "NOT"),
        ]
        print("| " + " | ".join(_aligned(cells, FAMILY_COLUMNS)) + " |")


def _aligned(cells: list[str], columns: Sequence[tuple[str, int]]) -> list[str]:
    return [
        f"{cell:{'<' if index in (0, 1, 3) else '>'}{width}}"
        for index, (cell, (_, width)) in enumerate(zip(cells, columns, strict=True))
    ]


def main(scale: float = 1.0) -> None:
    """`scale` shrinks both scenarios (schools, groups, events and sampled requests) alike."""

    def size(number: int) -> int:
        return max(1, round(number * scale))

    def municipality(family: Family) -> Scenario:
        return generate(
            "municipality",
            random.Random(SEED),
            size(100),
            size(1_500),
            size(40),
            None,
            family,
        )

    def national(family: Family) -> Scenario:
        return generate(
            "national",
            random.Random(SEED + 1),
            size(1_200),
            size(14_000),
            size(400),
            size(20_000),
            family,
        )

    for scenario, fair in (
        (municipality(CURRENT), fair_draw),
        (national(CURRENT), national_fair_draw),
    ):
        outcomes, max_min, levelled = measure(
            scenario,
            {
                "fair draw": fair,
                "fair draw, no lifts": partial(fair, lifts_worst_off=False),
                "first come, first served": first_come_first_served,
                "plain lottery": plain_lottery,
            },
        )
        print_table(scenario, outcomes, max_min, levelled)
        if scenario.name == "national":
            print("Aims for the national draw: " + "; ".join(aims(outcomes, max_min)) + ".")
    print("\nFamilies of requests: the draw alone, and with the worst-off schools lifted")
    print("| " + " | ".join(_aligned([n for n, _ in FAMILY_COLUMNS], FAMILY_COLUMNS)) + " |")
    print("|" + "|".join("-" * (width + 2) for _, width in FAMILY_COLUMNS) + "|")
    for family in FAMILIES:
        for scenario, fair in (
            (municipality(family), fair_draw),
            (national(family), national_fair_draw),
        ):
            outcomes, max_min, _ = measure(
                scenario,
                {"draw alone": partial(fair, lifts_worst_off=False), "draw + lifts": fair},
            )
            print_family_row(family, scenario, outcomes, max_min, fair is national_fair_draw)


if __name__ == "__main__":
    main()
