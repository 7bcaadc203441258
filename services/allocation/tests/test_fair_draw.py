"""The fair draw: the rotating priority, a seeded lottery between equals, preferences, leftovers."""

import random
from collections import Counter
from dataclasses import replace
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocation.domain import (
    Allocated,
    Basis,
    Occurrence,
    Rejected,
    RejectionReason,
    SeatRequest,
    TermHistory,
    Waitlisted,
    allocate_fairly,
    lottery_ticket,
)

from .builders import history, occurrence, request

EVENT = UUID(int=1)

World = tuple[list[Occurrence], list[SeatRequest], TermHistory, int]


def test_the_school_with_fewest_seats_per_pupil_this_term_goes_first() -> None:
    only = occurrence(EVENT, capacity=25)
    visited, not_yet = uuid4(), uuid4()
    early = request(only, school=visited, minute=0)
    late = request(only, school=not_yet, minute=600)

    for seed in range(20):
        _, (first, second) = allocate_fairly(
            [only], [early, late], history({visited: (50, 100), not_yet: (0, 100)}), seed
        )

        assert isinstance(first, Waitlisted) and isinstance(second, Allocated)
        assert (second.ranking and second.ranking.rank, first.ranking and first.ranking.rank) == (
            1,
            2,
        )


def test_seats_per_pupil_not_seats_decide_the_priority() -> None:
    only = occurrence(EVENT, capacity=25)
    large, small = uuid4(), uuid4()
    requests = [request(only, school=large), request(only, school=small)]
    # 60 seats among 600 pupils is less per pupil than 20 among 100.
    term = history({large: (60, 600), small: (20, 100)})

    for seed in range(20):
        decisions = allocate_fairly([only], requests, term, seed).decisions

        assert [type(d) for d in decisions] == [Allocated, Waitlisted]


def test_a_school_that_just_got_seats_moves_back() -> None:
    performance = occurrence(EVENT, capacity=75)
    keen, other, third = uuid4(), uuid4(), uuid4()
    requests = [request(performance, school=keen, minute=m) for m in range(4)]
    requests += [request(performance, school=other), request(performance, school=third)]
    term = history({keen: (0, 100), other: (0, 100), third: (0, 100)})

    for seed in range(30):
        draw = allocate_fairly([performance], requests, term, seed)

        seated = Counter(a.unit_id for a in draw.seating.allocations())
        assert seated == {keen: 1, other: 1, third: 1}


def test_within_a_school_the_group_with_fewer_visits_goes_first() -> None:
    only = occurrence(EVENT, capacity=25)
    school, been, never = uuid4(), uuid4(), uuid4()
    term = history({school: (25, 200)}, {been: (25, 23), never: (0, 23)})
    requests = [request(only, school=school, group=been), request(only, school=school, group=never)]

    for seed in range(20):
        decisions = allocate_fairly([only], requests, term, seed).decisions

        assert [type(d) for d in decisions] == [Waitlisted, Allocated]


def test_a_lottery_decides_between_equals_and_the_seed_decides_the_lottery() -> None:
    only = occurrence(EVENT, capacity=25)
    requests = [request(only, school=uuid4()) for _ in range(8)]

    def winner(seed: int) -> UUID:
        decisions = allocate_fairly([only], requests, TermHistory(), seed).decisions
        (allocated,) = [d for d in decisions if isinstance(d, Allocated)]
        return allocated.booking_id

    lowest_ticket = min(requests, key=lambda r: lottery_ticket(7, r.booking_id))
    assert winner(7) == lowest_ticket.booking_id
    assert len({winner(seed) for seed in range(40)}) > 3


def test_preferences_are_honoured_in_the_order_of_the_draw() -> None:
    morning, afternoon = occurrence(EVENT, capacity=25), occurrence(EVENT, capacity=25)
    first_school, second_school = uuid4(), uuid4()
    both_want_morning = [
        request(morning, afternoon, school=first_school),
        request(morning, afternoon, school=second_school),
    ]
    term = history({first_school: (0, 100), second_school: (10, 100)})

    first, second = allocate_fairly([morning, afternoon], both_want_morning, term, 1).decisions

    assert isinstance(first, Allocated) and (first.occurrence_id, first.choice) == (morning.id, 1)
    assert isinstance(second, Allocated)
    assert (second.occurrence_id, second.choice) == (afternoon.id, 2)


def test_leftover_seats_go_to_a_group_that_fits_behind_one_that_does_not() -> None:
    performance = occurrence(EVENT, capacity=50)
    big, small, first = uuid4(), uuid4(), uuid4()
    requests = [
        request(performance, school=first, pupils=28, adults=2),
        request(performance, school=big, pupils=28, adults=2),
        request(performance, school=small, pupils=16, adults=2),
    ]
    term = history({first: (0, 100), big: (1, 100), small: (2, 100)})

    decisions = allocate_fairly([performance], requests, term, 3).decisions

    assert [type(d) for d in decisions] == [Allocated, Waitlisted, Allocated]
    assert decisions[1].ranking and decisions[1].ranking.rank == 2


def test_each_event_is_ranked_on_its_own_and_waiting_positions_count_from_one() -> None:
    other_event = UUID(int=2)
    one, two = occurrence(EVENT, capacity=25), occurrence(other_event, capacity=25)
    requests = [request(o, school=uuid4()) for o in (one, two) for _ in range(3)]

    decisions = allocate_fairly([one, two], requests, TermHistory(), 5).decisions

    for event_id in (EVENT, other_event):
        of_event = [d for d in decisions if d.request.event_id == event_id]
        assert sorted(d.ranking.rank for d in of_event if d.ranking) == [1, 2, 3]
        assert {d.ranking.of for d in of_event if d.ranking} == {3}
        waiting = [d.position for d in of_event if isinstance(d, Waitlisted)]
        assert sorted(waiting) == [1, 2]


def test_of_a_groups_two_requests_for_one_event_the_earliest_counts() -> None:
    performance, other = occurrence(EVENT), occurrence(EVENT)
    group = uuid4()
    later = request(other, school=uuid4(), group=group, minute=30)
    earlier = request(performance, school=later.unit_id, group=group, minute=10)

    decisions = allocate_fairly([performance, other], [later, earlier], TermHistory(), 0).decisions

    assert isinstance(decisions[0], Rejected)
    assert decisions[0].reason is RejectionReason.ALREADY_REQUESTED
    assert isinstance(decisions[1], Allocated) and decisions[1].basis is Basis.DRAW


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"pupils": 0, "adults": 0}, RejectionReason.NO_PARTICIPANTS),
        ({"pupils": 60, "adults": 2}, RejectionReason.GROUP_TOO_LARGE),
    ],
)
def test_requests_that_can_never_be_met_are_rejected(
    changes: dict[str, int], reason: RejectionReason
) -> None:
    performance = occurrence(EVENT, capacity=60)

    (decision,) = allocate_fairly(
        [performance], [request(performance, school=uuid4(), **changes)], TermHistory(), 0
    ).decisions

    assert isinstance(decision, Rejected) and decision.reason is reason


def test_occurrences_cancelled_started_or_of_another_event_are_not_offered() -> None:
    cancelled = occurrence(EVENT, cancelled=True)
    started = occurrence(EVENT, day=-1)
    elsewhere = occurrence(UUID(int=2))
    asked = replace(
        request(cancelled, school=uuid4()),
        occurrence_ids=(cancelled.id, started.id, elsewhere.id, uuid4()),
    )

    (decision,) = allocate_fairly(
        [cancelled, started, elsewhere], [asked], TermHistory(), 0
    ).decisions

    assert isinstance(decision, Rejected)
    assert decision.reason is RejectionReason.OCCURRENCE_NOT_OFFERED


def test_a_school_cap_stops_one_school_taking_an_events_seats() -> None:
    performance = occurrence(EVENT, capacity=200)
    school = uuid4()
    requests = [request(performance, school=school) for _ in range(3)]

    decisions = allocate_fairly([performance], requests, TermHistory(), 0, school_cap=50).decisions

    assert Counter(type(d) for d in decisions) == {Allocated: 2, Rejected: 1}
    rejected = next(d for d in decisions if isinstance(d, Rejected))
    assert (rejected.reason, rejected.school_cap) == (RejectionReason.SCHOOL_LIMIT_REACHED, 50)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    performances = [
        occurrence(EVENT, capacity=draw(st.integers(20, 120)))
        for _ in range(draw(st.integers(1, 4)))
    ]
    schools = [UUID(int=100 + n) for n in range(draw(st.integers(1, 6)))]
    requests: list[SeatRequest] = []
    for number in range(draw(st.integers(1, 25))):
        wanted = draw(st.lists(st.sampled_from(performances), min_size=1, max_size=3, unique=True))
        requests.append(
            request(
                *wanted,
                school=draw(st.sampled_from(schools)),
                group=UUID(int=1000 + number),
                booking=UUID(int=5000 + number),
                pupils=draw(st.integers(5, 30)),
                minute=draw(st.integers(0, 3000)),
            )
        )
    term = history({s: (draw(st.integers(0, 60)), draw(st.integers(50, 400))) for s in schools})
    return performances, requests, term, draw(st.integers(0, 2**32))


@given(worlds(), st.randoms(use_true_random=False))
def test_the_same_inputs_and_seed_give_the_same_decisions_in_any_order(
    world: World, shuffler: random.Random
) -> None:
    performances, requests, term, seed = world
    shuffled = list(requests)
    shuffler.shuffle(shuffled)

    first = allocate_fairly(performances, requests, term, seed).decisions
    second = allocate_fairly(list(reversed(performances)), shuffled, term, seed).decisions

    assert sorted(first, key=lambda d: d.booking_id.int) == sorted(
        second, key=lambda d: d.booking_id.int
    )


@given(worlds())
def test_every_request_is_ranked_once_and_waiting_positions_count_from_one(world: World) -> None:
    performances, requests, term, seed = world

    decisions = allocate_fairly(performances, requests, term, seed).decisions

    ranks = sorted(d.ranking.rank for d in decisions if not isinstance(d, Rejected) and d.ranking)
    assert ranks == list(range(1, len(ranks) + 1))
    waiting = sorted(d.position for d in decisions if isinstance(d, Waitlisted))
    assert waiting == list(range(1, len(waiting) + 1))
