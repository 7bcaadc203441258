"""Reach with outreach: how many schools and groups have at least one visit in a term when the
requests alone decide, and when a share of every occurrence's seats is held back and offered
directly to the groups that have neither a visit nor a request.

One generated municipal term, seeded: schools and groups as in bench.allocation_fairness (12% of
the schools never ask), 40 events in bands of two adjacent grades whose seats suffice for one
visit per group, and the requests the schools make on their own. Each event's draw runs as its
window closes and sees the seats handed out before it. With outreach, 15% of each occurrence's
seats are held out of the draw; the groups the core chooses
(`allocation.domain.outreach.choose_offers`) are offered them, and each offered group accepts
with probability 60% (seeded), three days after the window closed; on the release date (7 days
after it closed) what is left goes to the event's waiting requests in the fair order. The draw,
the held seats, the accepted offers and the release are the allocation domain's own (`Seating`).

Run with `.venv/bin/python -m bench.outreach` (`--smoke` at a tenth of the size).
"""

import argparse
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from uuid import UUID

from allocation.domain import (
    Allocation,
    Occurrence,
    Seating,
    SeatRequest,
    TermHistory,
    allocate_fairly,
)
from allocation.domain.outreach import ReachGroup, choose_offers, held_back_seats
from bench.allocation_fairness import (
    CURRENT,
    SEED,
    TERM_STARTS,
    Event,
    Scenario,
    _requests,
    generate,
)
from kulturbro_contracts.vocabulary import BookingPolicy, TargetGroup

HELD_BACK_SHARE = 15  # percent, the catalog's default
ACCEPTS = 0.6  # an offered group accepts with this probability
SEATS_OVER_ONE_VISIT = 1.15  # the seats of a grade band over one visit for each of its groups
BANDS = ((0, 1), (2, 3), (4, 5), (6, 7), (8, 9))
TARGET = {
    0: TargetGroup.PRESCHOOL_CLASS,
    **{grade: TargetGroup(f"grade_{grade}") for grade in range(1, 10)},
}
AIM = 0.97  # of the schools reached with outreach


@dataclass(frozen=True)
class Reach:
    schools: int
    schools_reached: int
    groups: int
    groups_reached: int
    silent_schools: int
    """Schools that never ask on their own, and of them those reached."""
    silent_reached: int
    seconds: float
    offers: int = 0
    accepted: int = 0

    @property
    def schools_share(self) -> float:
        return self.schools_reached / self.schools

    @property
    def groups_share(self) -> float:
        return self.groups_reached / self.groups


def term(scale: float = 1.0, seed: int = SEED) -> Scenario:
    """A municipality's term where the seats suffice for one visit per group."""
    rng = random.Random(seed)
    base = generate(
        "municipality", rng, max(1, round(100 * scale)), max(1, round(1_500 * scale)), 0, None
    )
    ids = (UUID(int=n) for n in count(10**9))
    events = []
    per_band = max(1, round(8 * scale))
    for band in BANDS:
        seats = sum(g.pupils + g.adults for g in base.groups if g.grade in band)
        capacity = max(32, round(seats * SEATS_OVER_ONE_VISIT / (per_band * 5)))
        for _ in range(per_band):
            opens = TERM_STARTS + timedelta(days=rng.uniform(0, 100))
            closes = opens + timedelta(days=14)
            event_id = next(ids)
            occurrences = tuple(
                Occurrence(
                    next(ids), event_id, capacity, closes + timedelta(days=rng.uniform(14, 40))
                )
                for _ in range(5)
            )
            events.append(Event(event_id, frozenset(band), occurrences, opens, closes))
    asked = sorted(
        _requests(rng, ids, base.groups, events, CURRENT.choices), key=lambda r: r.requested_at
    )
    return Scenario("municipality", base.schools, base.groups, events, asked)


def requests_alone(scenario: Scenario) -> Reach:
    started = time.perf_counter()
    history = scenario.start_of_term()
    allocations: list[Allocation] = []
    for event in _by_window(scenario):
        decided = _draw(event.occurrences, _asked_for(scenario, event), history)
        history = history.adding(decided)
        allocations += decided
    return _reach(scenario, allocations, time.perf_counter() - started)


def with_outreach(scenario: Scenario, accepts: float = ACCEPTS) -> Reach:
    started = time.perf_counter()
    rng = random.Random(SEED + 2)
    history = scenario.start_of_term()
    allocations: list[Allocation] = []
    offers = accepted = 0
    booking_ids = (UUID(int=n) for n in count(2 * 10**9))
    by_group = {g.group_id: g for g in scenario.groups}
    for event in _by_window(scenario):
        asked = _asked_for(scenario, event)
        held = {o.id: held_back_seats(o.capacity, HELD_BACK_SHARE) for o in event.occurrences}
        deadline = event.window_closes + timedelta(days=7)
        offered = choose_offers(
            event.event_id,
            held,
            event.occurrences,
            _reach_groups(scenario, history, event),
            history.schools,
            targets=[TARGET[grade] for grade in event.grades],
            adults_per_group=2 if max(event.grades) < 4 else 1,
            deadline=deadline,
            seed=SEED,
        )
        offers += len(offered)
        seating = Seating(event.occurrences, BookingPolicy.FAIR_DRAW, history=history, seed=SEED)
        seating.hold_back(held)
        seating.draw(asked)
        for offer in offered:
            if rng.random() >= accepts:
                continue
            accepted += 1
            group = by_group[offer.group_id]
            seating.accept_offer(
                SeatRequest(
                    booking_id=next(booking_ids),
                    event_id=event.event_id,
                    group_id=offer.group_id,
                    unit_id=offer.unit_id,
                    district=group.school.district,
                    pupils=offer.pupils,
                    adults=offer.adults,
                    occurrence_ids=(offer.occurrence_id,),
                    requested_at=event.window_closes + timedelta(days=3),
                ),
                offer.occurrence_id,
            )
        seating.release_held_back(event.event_id, at=deadline)
        decided = seating.allocations()
        history = history.adding(decided)
        allocations += decided
    return _reach(scenario, allocations, time.perf_counter() - started, offers, accepted)


def _by_window(scenario: Scenario) -> list[Event]:
    return sorted(scenario.events, key=lambda event: event.window_closes)


def _asked_for(scenario: Scenario, event: Event) -> list[SeatRequest]:
    return [r for r in scenario.requests if r.event_id == event.event_id]


def _draw(
    occurrences: Iterable[Occurrence], asked: list[SeatRequest], history: TermHistory
) -> list[Allocation]:
    return allocate_fairly(occurrences, asked, history, seed=SEED).seating.allocations()


def _reach_groups(scenario: Scenario, history: TermHistory, event: Event) -> list[ReachGroup]:
    """Every group as outreach sees it when the event's window closes."""
    asked = {r.group_id for r in scenario.requests if r.requested_at <= event.window_closes}
    return [
        ReachGroup(
            group_id=group.group_id,
            unit_id=group.school.unit_id,
            target_group=TARGET[group.grade],
            pupils=group.pupils,
            visited=group.group_id in history.groups and history.groups[group.group_id].seats > 0,
            requested=group.group_id in asked,
        )
        for group in scenario.groups
    ]


def _reach(
    scenario: Scenario,
    allocations: list[Allocation],
    seconds: float,
    offers: int = 0,
    accepted: int = 0,
) -> Reach:
    groups = {a.group_id for a in allocations}
    schools = {a.unit_id for a in allocations}
    having_groups = {g.school.unit_id for g in scenario.groups}
    silent = {g.school.unit_id for g in scenario.groups if g.school.organised == 0}
    return Reach(
        schools=len(having_groups),
        schools_reached=len(schools & having_groups),
        groups=len(scenario.groups),
        groups_reached=len(groups),
        silent_schools=len(silent),
        silent_reached=len(silent & schools),
        seconds=seconds,
        offers=offers,
        accepted=accepted,
    )


def main(scale: float = 1.0, seeds: int = 10) -> None:
    scenario = term(scale)
    seats = sum(o.capacity for o in scenario.occurrences)
    one_visit = sum(g.pupils + g.adults for g in scenario.groups)
    print(
        f"\nOutreach, one municipal term: {len(scenario.schools)} schools, "
        f"{len(scenario.groups):,} groups, {len(scenario.events)} events, "
        f"{len(scenario.requests):,} requests; {seats:,} seats for {one_visit:,} "
        f"(one visit per group)"
    )
    columns = (
        "rule",
        "decided in",
        "schools reached",
        "never asking, reached",
        "groups reached",
        "offers",
        "accepted",
    )
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("-" * (len(c) + 2) for c in columns) + "|")
    rows = [
        ("requests alone (baseline)", requests_alone(scenario)),
        (f"outreach, {ACCEPTS:.0%} accept", with_outreach(scenario)),
        ("outreach, all accept", with_outreach(scenario, accepts=1.0)),
    ]
    for name, reach in rows:
        cells = [
            name,
            f"{reach.seconds * 1000:,.0f} ms",
            f"{reach.schools_reached}/{reach.schools} ({reach.schools_share:.1%})",
            f"{reach.silent_reached}/{reach.silent_schools}",
            f"{reach.groups_reached:,}/{reach.groups:,} ({reach.groups_share:.1%})",
            f"{reach.offers:,}",
            f"{reach.accepted:,}",
        ]
        print("| " + " | ".join(cells) + " |")
    alone, outreach = [], []
    for seed in range(SEED, SEED + seeds):
        other = term(scale, seed)
        alone.append(requests_alone(other).schools_share)
        outreach.append(with_outreach(other).schools_share)
    print(
        f"Over {seeds} seeds, schools reached: requests alone {min(alone):.1%} to "
        f"{max(alone):.1%}, with outreach {min(outreach):.1%} to {max(outreach):.1%}."
    )
    met = "met" if min(outreach) >= AIM else "NOT met"
    print(f"Aim: at least {AIM:.0%} of the schools reached with outreach in every one: {met}.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.outreach", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a tenth of the size")
    smoke = parser.parse_args().smoke
    main(0.1 if smoke else 1.0, 3 if smoke else 10)
