"""Deciding on arrival, cancelling and promoting from the waiting list."""

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from allocation.domain import (
    Allocated,
    Basis,
    BookingAlreadyDecided,
    Rejected,
    RejectionReason,
    Seating,
    TermHistory,
    UnknownBooking,
    Waitlisted,
    allocate_fairly,
)
from kulturbro_contracts.vocabulary import BookingPolicy

from .builders import WINDOW_OPENS, history, occurrence, request

EVENT = UUID(int=1)


def test_on_arrival_a_request_gets_the_first_preferred_occurrence_with_room() -> None:
    morning, afternoon = occurrence(EVENT, capacity=50), occurrence(EVENT, capacity=50)
    seating = Seating([morning, afternoon], BookingPolicy.INSTANT)

    decisions = [
        seating.request(request(morning, afternoon, school=uuid4(), minute=m)) for m in range(3)
    ]

    assert [(d.occurrence_id, d.choice) for d in decisions if isinstance(d, Allocated)] == [
        (morning.id, 1),
        (morning.id, 1),
        (afternoon.id, 2),
    ]
    assert all(d.basis is Basis.ARRIVAL for d in decisions if isinstance(d, Allocated))
    assert seating.free_seats(morning.id) == 0
    assert seating.free_seats(afternoon.id) == 25


def test_on_arrival_a_request_that_does_not_fit_waits_in_arrival_order() -> None:
    only = occurrence(EVENT, capacity=30)
    seating = Seating([only], BookingPolicy.INSTANT)
    seating.request(request(only, school=uuid4(), minute=0))

    waiting = [seating.request(request(only, school=uuid4(), minute=m)) for m in (5, 9)]

    assert [(type(w), getattr(w, "position", None)) for w in waiting] == [
        (Waitlisted, 1),
        (Waitlisted, 2),
    ]
    assert seating.free_seats(only.id) == 5


def test_a_school_cap_on_arrival_rejects_what_would_pass_it() -> None:
    only = occurrence(EVENT, capacity=200)
    seating = Seating([only], BookingPolicy.INSTANT, school_cap=60)
    school = uuid4()

    decisions = [seating.request(request(only, school=school, minute=m)) for m in range(3)]

    assert [type(d) for d in decisions] == [Allocated, Allocated, Rejected]
    assert isinstance(decisions[2], Rejected)
    assert decisions[2].reason is RejectionReason.SCHOOL_LIMIT_REACHED


def test_a_group_with_a_live_request_cannot_ask_again_until_it_cancels() -> None:
    only = occurrence(EVENT)
    seating = Seating([only], BookingPolicy.INSTANT)
    group, school = uuid4(), uuid4()
    first = seating.request(request(only, school=school, group=group))

    again = seating.request(request(only, school=school, group=group, minute=1))
    seating.cancel(first.booking_id, at=WINDOW_OPENS)
    after_cancelling = seating.request(request(only, school=school, group=group, minute=2))

    assert isinstance(again, Rejected) and again.reason is RejectionReason.ALREADY_REQUESTED
    assert isinstance(after_cancelling, Allocated)


def test_the_same_booking_cannot_be_decided_twice() -> None:
    only = occurrence(EVENT)
    seating = Seating([only], BookingPolicy.INSTANT)
    asked = request(only, school=uuid4())
    seating.request(asked)

    with pytest.raises(BookingAlreadyDecided):
        seating.request(asked)


def test_cancelling_on_arrival_promotes_the_earliest_waiting_group_that_fits() -> None:
    only = occurrence(EVENT, capacity=50)
    seating = Seating([only], BookingPolicy.INSTANT)
    holder = seating.request(request(only, school=uuid4(), pupils=23))
    seating.request(request(only, school=uuid4(), pupils=23, minute=1))
    too_big = seating.request(request(only, school=uuid4(), pupils=28, minute=2))
    fits = seating.request(request(only, school=uuid4(), pupils=20, minute=3))
    also_fits = seating.request(request(only, school=uuid4(), pupils=20, minute=4))

    promotions = seating.cancel(holder.booking_id, at=WINDOW_OPENS)

    assert [p.booking_id for p in promotions] == [fits.booking_id]
    assert promotions[0].basis is Basis.PROMOTION
    assert [w.booking_id for w in seating.waiting()] == [too_big.booking_id, also_fits.booking_id]
    assert [w.position for w in seating.waiting()] == [1, 2]


def test_cancelling_after_a_draw_promotes_in_the_rotating_order_not_arrival() -> None:
    only = occurrence(EVENT, capacity=25)
    holder_school, visited, not_yet = uuid4(), uuid4(), uuid4()
    holder = request(only, school=holder_school)
    early_but_visited = request(only, school=visited, minute=1)
    late_but_not_yet = request(only, school=not_yet, minute=900)
    term = history({holder_school: (0, 100), visited: (40, 100), not_yet: (20, 100)})
    seating, _ = allocate_fairly([only], [holder, early_but_visited, late_but_not_yet], term, 1)

    promotions = seating.cancel(holder.booking_id, at=WINDOW_OPENS)

    assert [p.booking_id for p in promotions] == [late_but_not_yet.booking_id]
    assert seating.waiting()[0].booking_id == early_but_visited.booking_id


def test_cancelled_seats_no_longer_count_for_the_schools_priority() -> None:
    morning, afternoon = occurrence(EVENT, capacity=25), occurrence(EVENT, capacity=25)
    school, rival = uuid4(), uuid4()
    term = history({school: (0, 100), rival: (40, 100)})
    cancelled = request(morning, school=school)
    held = [cancelled, request(afternoon, school=school)]
    seating, _ = allocate_fairly([morning, afternoon], held, term, 0)
    theirs = seating.request(request(morning, afternoon, school=rival, minute=2))
    ours = seating.request(request(morning, afternoon, school=school, minute=3))
    assert [w.booking_id for w in seating.waiting()] == [theirs.booking_id, ours.booking_id]

    promotions = seating.cancel(cancelled.booking_id, at=WINDOW_OPENS)

    # 25 seats per 100 pupils once the cancelled ones are given back: fewer than the rival's 40.
    assert [p.booking_id for p in promotions] == [ours.booking_id]


def test_cancelling_a_waiting_request_frees_nothing_and_promotes_no_one() -> None:
    only = occurrence(EVENT, capacity=25)
    seating = Seating([only], BookingPolicy.INSTANT)
    seating.request(request(only, school=uuid4()))
    waiting = seating.request(request(only, school=uuid4(), minute=1))
    behind = seating.request(request(only, school=uuid4(), minute=2))

    assert seating.cancel(waiting.booking_id, at=WINDOW_OPENS) == []
    assert [(w.booking_id, w.position) for w in seating.waiting()] == [(behind.booking_id, 1)]
    assert seating.free_seats(only.id) == 0


def test_an_unknown_or_already_cancelled_booking_cannot_be_cancelled() -> None:
    only = occurrence(EVENT)
    seating = Seating([only], BookingPolicy.INSTANT)
    held = seating.request(request(only, school=uuid4()))
    seating.cancel(held.booking_id, at=WINDOW_OPENS)

    with pytest.raises(UnknownBooking):
        seating.cancel(held.booking_id, at=WINDOW_OPENS)
    with pytest.raises(UnknownBooking):
        seating.cancel(uuid4(), at=WINDOW_OPENS)


def test_no_one_is_promoted_into_an_occurrence_that_has_started() -> None:
    soon, later = occurrence(EVENT, capacity=25, day=10), occurrence(EVENT, capacity=25, day=40)
    seating = Seating([soon, later], BookingPolicy.INSTANT)
    holder = seating.request(request(soon, school=uuid4()))
    seating.request(request(later, school=uuid4()))
    waiting = seating.request(request(soon, later, school=uuid4(), minute=1))

    after_it_started = seating.cancel(holder.booking_id, at=WINDOW_OPENS + timedelta(days=11))

    assert after_it_started == []
    assert [w.booking_id for w in seating.waiting()] == [waiting.booking_id]


def test_a_request_after_the_draw_takes_what_is_left_on_arrival() -> None:
    only = occurrence(EVENT, capacity=60)
    seating, _ = allocate_fairly([only], [request(only, school=uuid4())], TermHistory(), 0)

    late = seating.request(request(only, school=uuid4(), minute=20 * 24 * 60))

    assert isinstance(late, Allocated)
    assert (late.basis, late.policy) == (Basis.ARRIVAL, BookingPolicy.FAIR_DRAW)
