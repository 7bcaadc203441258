"""District quotas: seats shared between districts by their pupils, then free for all."""

from collections import Counter
from fractions import Fraction
from uuid import UUID, uuid4

from hypothesis import given
from hypothesis import strategies as st

from allocation.domain import (
    Allocated,
    Basis,
    TermHistory,
    Waitlisted,
    allocate_by_district,
    split_by_district,
)

from .builders import WINDOW_OPENS, occurrence, request

EVENT = UUID(int=1)


def test_seats_are_split_by_pupils_with_the_largest_remainders_rounded_up() -> None:
    # Exact shares 45.45, 31.82, 22.73: the whole seats make 98; the two largest fractions round up.
    shares = split_by_district(100, {"Rosengård": 1000, "Hyllie": 700, "Centrum": 500})

    assert shares == {"Rosengård": 45, "Hyllie": 32, "Centrum": 23}


def test_equal_remainders_go_to_the_district_named_first() -> None:
    assert split_by_district(1, {"Söder": 1, "Norr": 1}) == {"Söder": 0, "Norr": 1}


def test_districts_without_pupils_share_nothing() -> None:
    assert split_by_district(90, {"Norr": 0, "Söder": 0}) == {"Norr": 0, "Söder": 0}
    assert split_by_district(90, {"Norr": 0, "Söder": 10}) == {"Norr": 0, "Söder": 90}


@given(
    st.integers(0, 2000),
    st.dictionaries(st.text(min_size=1, max_size=5), st.integers(0, 5000), min_size=1),
)
def test_every_seat_is_shared_and_no_district_is_more_than_a_seat_from_its_quota(
    seats: int, pupils: dict[str, int]
) -> None:
    shares = split_by_district(seats, pupils)
    total = sum(pupils.values())

    if total == 0:
        assert set(shares.values()) == {0}
        return
    assert sum(shares.values()) == seats
    for district, count in pupils.items():
        exact = Fraction(seats * count, total)
        assert exact - 1 < shares[district] < exact + 1


def test_each_district_gets_no_more_than_its_share_until_release() -> None:
    performance = occurrence(EVENT, capacity=100)
    crowded = [request(performance, school=uuid4(), district="Rosengård") for _ in range(4)]
    quiet = [request(performance, school=uuid4(), district="Hyllie")]
    pupils = {EVENT: {"Rosengård": 500, "Hyllie": 500}}

    seating, decisions = allocate_by_district(
        [performance], crowded + quiet, TermHistory(), 0, pupils
    )

    assert Counter(type(d) for d in decisions[:4]) == {Allocated: 2, Waitlisted: 2}
    assert isinstance(decisions[4], Allocated)
    assert seating.free_seats(performance.id) == 25
    ranked = [d.ranking for d in decisions[:4] if d.ranking]
    assert sorted(r.rank for r in ranked) == [1, 2, 3, 4]
    assert {(r.district, r.district_share, r.of) for r in ranked} == {("Rosengård", 50, 4)}
    assert all(d.basis is Basis.DISTRICT_SHARE for d in decisions if isinstance(d, Allocated))


def test_after_release_what_is_left_is_free_for_all_in_the_fair_order() -> None:
    performance = occurrence(EVENT, capacity=100)
    crowded = [request(performance, school=uuid4(), district="Rosengård") for _ in range(4)]
    pupils = {EVENT: {"Rosengård": 500, "Hyllie": 500}}
    seating, _ = allocate_by_district([performance], crowded, TermHistory(), 0, pupils)

    released = seating.release_quotas(EVENT, at=WINDOW_OPENS)

    assert len(released) == 2
    assert all(p.basis is Basis.FREE_FOR_ALL for p in released)
    assert seating.waiting() == []
    assert seating.release_quotas(EVENT, at=WINDOW_OPENS) == []


def test_seats_cancelled_before_release_go_back_to_the_district() -> None:
    performance = occurrence(EVENT, capacity=100)
    crowded = [request(performance, school=uuid4(), district="Rosengård") for _ in range(3)]
    waiting_elsewhere = request(performance, school=uuid4(), district="Hyllie", pupils=60)
    pupils = {EVENT: {"Rosengård": 500, "Hyllie": 500}}
    seating, decisions = allocate_by_district(
        [performance], [*crowded, waiting_elsewhere], TermHistory(), 0, pupils
    )
    holder = next(d for d in decisions if isinstance(d, Allocated))

    promotions = seating.cancel(holder.booking_id, at=WINDOW_OPENS)

    assert [p.request.district for p in promotions] == ["Rosengård"]
    assert isinstance(decisions[3], Waitlisted)


def test_a_school_in_no_district_waits_for_the_release() -> None:
    performance = occurrence(EVENT, capacity=100)
    nowhere = request(performance, school=uuid4(), district=None)
    pupils = {EVENT: {"Rosengård": 500}}

    seating, (decision,) = allocate_by_district([performance], [nowhere], TermHistory(), 0, pupils)

    assert isinstance(decision, Waitlisted)
    assert decision.ranking is not None and decision.ranking.district is None
    assert [p.booking_id for p in seating.release_quotas(EVENT, at=WINDOW_OPENS)] == [
        nowhere.booking_id
    ]


def test_a_request_after_the_draw_is_held_to_its_districts_share_until_release() -> None:
    performance = occurrence(EVENT, capacity=100)
    pupils = {EVENT: {"Rosengård": 500, "Hyllie": 500}}
    seating, _ = allocate_by_district(
        [performance],
        [request(performance, school=uuid4(), district="Rosengård") for _ in range(2)],
        TermHistory(),
        0,
        pupils,
    )

    late = seating.request(request(performance, school=uuid4(), district="Rosengård", minute=60))

    assert isinstance(late, Waitlisted) and late.basis is Basis.DISTRICT_SHARE
    assert seating.free_seats(performance.id) == 50
