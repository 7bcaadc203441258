"""Fairness figures: seats per pupil, their Gini coefficient, reach, and the max-min bound."""

from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocation.domain import (
    Allocation,
    Share,
    TermHistory,
    allocate_fairly,
    fairness_by_event,
    fairness_figures,
    gini,
    levelled_bound,
    max_min_bound,
)

from .builders import history, occurrence, request

EVENT, OTHER_EVENT = UUID(int=1), UUID(int=2)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], 0.0),
        ([0, 0, 0], 0.0),
        ([2, 2, 2, 2], 0.0),
        ([0, 0, 0, 1], 0.75),
        ([1, 2, 3, 4, 5], 0.2666666),
        ([0.1, 0.3], 0.25),
    ],
)
def test_gini_of_known_values(values: list[float], expected: float) -> None:
    assert gini(values) == pytest.approx(expected, abs=1e-6)


@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=50), st.floats(0.001, 1000))
def test_gini_lies_below_one_and_ignores_order_and_scale(values: list[float], scale: float) -> None:
    measured = gini(values)

    assert 0 <= measured < 1 or measured == pytest.approx(0, abs=1e-9)
    assert gini(list(reversed(values))) == pytest.approx(measured, abs=1e-9)
    assert gini([v * scale for v in values]) == pytest.approx(measured, abs=1e-6)


def allocated(event_id: UUID, occurrence_id: UUID, school: UUID, seats: int) -> Allocation:
    return Allocation(uuid4(), event_id, occurrence_id, uuid4(), school, seats, seats - 2)


def test_figures_count_seats_per_pupil_reach_and_capacity_used() -> None:
    theatre, concert = occurrence(EVENT, capacity=100), occurrence(OTHER_EVENT, capacity=100)
    north, south, never = uuid4(), uuid4(), uuid4()
    allocations = [
        allocated(EVENT, theatre.id, north, 25),
        allocated(EVENT, theatre.id, north, 25),
        allocated(OTHER_EVENT, concert.id, south, 25),
    ]
    groups = {a.group_id for a in allocations} | {uuid4()}
    pupils = {north: 100, south: 50, never: 200}

    figures = fairness_figures(allocations, [theatre, concert], pupils, groups)

    assert figures.seats_per_pupil == {north: 0.5, south: 0.5, never: 0.0}
    assert figures.lowest_seats_per_pupil == 0.0
    assert figures.gini == pytest.approx(gini([0.5, 0.5, 0.0]))
    assert figures.schools_reached == Share(2, 3)
    assert figures.groups_reached == Share(3, 4)
    assert figures.capacity_used == Share(75, 200)
    assert figures.capacity_used.ratio == 0.375

    by_event = fairness_by_event(allocations, [theatre, concert], pupils, groups)

    assert by_event[EVENT].seats_per_pupil[north] == 0.5
    assert by_event[EVENT].schools_reached == Share(1, 3)
    assert by_event[OTHER_EVENT].capacity_used == Share(25, 100)


def test_the_bound_is_the_best_for_the_worst_off_school_when_groups_can_be_split() -> None:
    only = occurrence(EVENT, capacity=60)
    big, small = uuid4(), uuid4()
    requests = [
        request(only, school=big, pupils=38, adults=2),
        request(only, school=small, pupils=38, adults=2),
    ]
    pupils = {big: 100, small: 100}

    bound = max_min_bound([only], requests, pupils)
    draw = allocate_fairly([only], requests, TermHistory(), 0)
    figures = fairness_figures(draw.seating.allocations(), [only], pupils, set())

    # Split, each school could get 30 of the 60 seats; whole, only one of the groups fits.
    assert bound == pytest.approx(0.30, abs=1e-6)
    assert figures.lowest_seats_per_pupil == 0.0


def test_the_bound_counts_seats_received_earlier_this_term_and_what_schools_asked() -> None:
    first, second = occurrence(EVENT, capacity=50), occurrence(EVENT, capacity=50)
    visited, not_yet = uuid4(), uuid4()
    requests = [
        request(first, second, school=visited, pupils=23),
        request(first, second, school=visited, pupils=23),
        request(first, second, school=not_yet, pupils=23),
    ]
    pupils = {visited: 100, not_yet: 100}

    bound = max_min_bound([first, second], requests, pupils, history({visited: (50, 100)}))
    draw = allocate_fairly([first, second], requests, history({visited: (50, 100)}), 0)
    seated = fairness_figures(draw.seating.allocations(), [first, second], pupils, set())

    # The school not yet visited asked for 25 seats only, so no rule can give it more than 0.25.
    assert bound == pytest.approx(0.25, abs=1e-6)
    assert seated.seats_per_pupil[not_yet] == pytest.approx(0.25)


def test_nothing_asked_bounds_nothing() -> None:
    assert max_min_bound([occurrence(EVENT)], [], {}) == 0.0


def test_the_levelled_bound_is_not_held_down_by_a_school_that_asked_little() -> None:
    only = occurrence(EVENT, capacity=100)
    modest, keen, eager = uuid4(), uuid4(), uuid4()
    requests = [request(only, school=modest, pupils=8, adults=2)]
    requests += [request(only, school=s, pupils=23) for s in (keen, eager) for _ in range(3)]
    pupils = {modest: 100, keen: 100, eager: 100}

    # The modest school asked for 0.10 seats per pupil; the other 90 seats go 45 and 45.
    assert max_min_bound([only], requests, pupils) == pytest.approx(0.10, abs=1e-6)
    assert levelled_bound([only], requests, pupils) == pytest.approx(0.45, rel=2e-3)
    assert levelled_bound([only], requests, pupils, history({keen: (45, 100)})) == pytest.approx(
        0.675, rel=2e-3
    )
