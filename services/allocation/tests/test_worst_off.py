"""Lifting the worst-off school after a draw: groups moved to another occurrence they accepted,
or displaced from a school that keeps more, so a school whose occurrences filled first gets in."""

from collections import Counter
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from allocation.domain import (
    Adjustment,
    Allocated,
    Change,
    Decision,
    Occurrence,
    Rejected,
    Seating,
    SeatRequest,
    TermHistory,
    Waitlisted,
    allocate_by_district,
    allocate_fairly,
    explain,
    lottery_ticket,
)
from kulturbro_contracts.vocabulary import BookingPolicy, Language

from .builders import history, occurrence, request

EVENT, OTHER_EVENT = UUID(int=1), UUID(int=2)

World = tuple[list[Occurrence], list[SeatRequest], TermHistory, int]


def seed_serving_first(*requests: SeatRequest) -> int:
    """A seed whose lottery puts the requests in this order among equals."""
    return next(
        seed
        for seed in range(10_000)
        if [lottery_ticket(seed, r.booking_id) for r in requests]
        == sorted(lottery_ticket(seed, r.booking_id) for r in requests)
    )


def by_booking(decisions: list[Decision]) -> dict[UUID, Decision]:
    return {decision.booking_id: decision for decision in decisions}


def test_a_seated_group_moves_to_its_other_choice_to_make_room_for_a_school_without_visits() -> (
    None
):
    afternoon, evening = occurrence(EVENT, capacity=25), occurrence(EVENT, capacity=25)
    visited, unvisited = uuid4(), uuid4()
    flexible = request(afternoon, evening, school=visited)
    only_afternoon = request(afternoon, school=unvisited)
    term = history({visited: (0, 100), unvisited: (0, 100)})
    seed = seed_serving_first(flexible, only_afternoon)

    alone = by_booking(
        allocate_fairly(
            [afternoon, evening], [flexible, only_afternoon], term, seed, lifts_worst_off=False
        ).decisions
    )
    # As the service draws: a Seating of the fair-draw policy lifts by default.
    seating = Seating([afternoon, evening], BookingPolicy.FAIR_DRAW, history=term, seed=seed)
    lifted = by_booking(seating.draw([flexible, only_afternoon]))

    assert isinstance(alone[only_afternoon.booking_id], Waitlisted)
    moved, seated = lifted[flexible.booking_id], lifted[only_afternoon.booking_id]
    assert isinstance(moved, Allocated) and (moved.occurrence_id, moved.choice) == (evening.id, 2)
    assert moved.adjustment == Adjustment(Change.MOVED, True, drawn_choice=1)
    assert isinstance(seated, Allocated) and seated.occurrence_id == afternoon.id
    assert seated.adjustment == Adjustment(Change.LIFTED, True, moving=True)
    assert (
        "The draw first gave your group seats at the performance you wanted most; after the "
        "draw it was moved to this performance, which you had also chosen, to make room for a "
        "group from a school that had had no culture visit this term."
    ) in explain(moved)[Language.EN]
    assert (
        "efteråt flyttades gruppen till den här föreställningen, som ni också valt, för att "
        "ge plats åt en grupp från en skola som inte haft något kulturbesök den här terminen"
    ) in explain(moved)[Language.SV]
    assert (
        "jaon jälkeen ryhmänne siirrettiin tähän esitykseen, jonka olitte myös valinneet"
    ) in explain(moved)[Language.FI]
    assert (
        "room was made for your group by moving other groups to performances they had also "
        "chosen, since your school had had no culture visit this term"
    ) in explain(seated)[Language.EN]
    assert ("gjordes plats för er grupp genom att andra grupper flyttades") in explain(seated)[
        Language.SV
    ]
    assert "koska koulullanne ei ole ollut yhtään kulttuurikäyntiä" in explain(seated)[Language.FI]


def a_hall_taken_first() -> World:
    """A school's group takes the hall; then another school, with no seats yet, finds it full;
    the first school's second group goes to the studio last."""
    hall, studio = occurrence(EVENT, capacity=25), occurrence(EVENT, capacity=25)
    well_off, worst_off = uuid4(), uuid4()
    first, second = request(hall, school=well_off), request(studio, school=well_off)
    waiting = request(hall, school=worst_off)
    term = history({well_off: (0, 100), worst_off: (0, 100)})
    return (
        [hall, studio],
        [first, waiting, second],
        term,
        seed_serving_first(first, waiting, second),
    )


def test_a_group_of_a_school_that_keeps_more_gives_up_its_seats_for_a_school_without_any() -> None:
    world = a_hall_taken_first()
    (hall, _), (first, waiting, second), _, _ = world

    decisions = by_booking(allocate_fairly(*world).decisions)

    displaced, seated = decisions[first.booking_id], decisions[waiting.booking_id]
    assert isinstance(seated, Allocated) and seated.occurrence_id == hall.id
    assert seated.adjustment == Adjustment(Change.LIFTED, True, displacing=True)
    assert isinstance(displaced, Waitlisted) and displaced.position == 1
    assert displaced.adjustment == Adjustment(Change.DISPLACED, True, drawn_choice=1)
    assert isinstance(decisions[second.booking_id], Allocated)
    assert (
        "The draw first gave your group seats at the performance you wanted most; after the "
        "draw they went to a group from a school that had had no culture visit this term. Your "
        "group is 1st on the waiting list"
    ) in explain(displaced)[Language.EN]
    assert (
        "efteråt gick de till en grupp från en skola som inte haft något kulturbesök"
    ) in explain(displaced)[Language.SV]
    assert ("jaon jälkeen ne annettiin ryhmälle koulusta, jolla ei ole ollut yhtään") in explain(
        displaced
    )[Language.FI]
    assert (
        "a group from a school with more culture visits this term, for its number of pupils, "
        "gave up its seats"
    ) in explain(seated)[Language.EN]


def test_district_quotas_are_left_as_drawn() -> None:
    world = a_hall_taken_first()
    waiting = world[1][1]

    decisions = allocate_by_district(*world, {EVENT: {"Centrum": 100}}).decisions

    assert all(d.adjustment is None for d in decisions if not isinstance(d, Rejected))
    assert isinstance(by_booking(decisions)[waiting.booking_id], Waitlisted)


def test_no_group_is_displaced_when_its_school_would_fall_to_the_worst_off_level() -> None:
    hall = occurrence(EVENT, capacity=25)
    first_school, second_school = uuid4(), uuid4()
    served, waiting = request(hall, school=first_school), request(hall, school=second_school)
    term = history({first_school: (0, 100), second_school: (0, 100)})
    seed = seed_serving_first(served, waiting)

    decisions = by_booking(allocate_fairly([hall], [served, waiting], term, seed).decisions)

    assert isinstance(decisions[served.booking_id], Allocated)
    assert decisions[served.booking_id].adjustment is None  # type: ignore[union-attr]
    assert isinstance(decisions[waiting.booking_id], Waitlisted)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """Small, crowded occurrences of one or two events, so that lifts happen often."""
    performances = [
        occurrence(event, capacity=draw(st.integers(20, 70)))
        for event in (EVENT, OTHER_EVENT)[: draw(st.integers(1, 2))]
        for _ in range(draw(st.integers(1, 4)))
    ]
    schools = [UUID(int=100 + n) for n in range(draw(st.integers(2, 6)))]
    requests: list[SeatRequest] = []
    for number in range(draw(st.integers(1, 30))):
        event = draw(st.sampled_from(sorted({p.event_id for p in performances})))
        of_event = [p for p in performances if p.event_id == event]
        wanted = draw(st.lists(st.sampled_from(of_event), min_size=1, max_size=3, unique=True))
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
    term = history({s: (draw(st.integers(0, 40)), draw(st.integers(20, 300))) for s in schools})
    return performances, requests, term, draw(st.integers(0, 2**32))


def seats_per_pupil(world: World, decisions: list[Decision]) -> dict[UUID, float]:
    """Per school that asked: its seats this term, with the draw's, per pupil."""
    _, requests, term, _ = world
    seats = Counter[UUID]()
    for decision in decisions:
        if isinstance(decision, Allocated):
            seats[decision.request.unit_id] += decision.seats
    return {
        r.unit_id: (term.schools[r.unit_id].seats + seats[r.unit_id])
        / term.schools[r.unit_id].pupils
        for r in requests
    }


@settings(deadline=None)
@given(worlds())
def test_lifts_never_oversell_split_or_seat_where_not_accepted_nor_lower_the_worst_off(
    world: World,
) -> None:
    performances, requests, term, seed = world

    alone = allocate_fairly(performances, requests, term, seed, lifts_worst_off=False).decisions
    draw = allocate_fairly(performances, requests, term, seed)

    allocated = [d for d in draw.decisions if isinstance(d, Allocated)]
    taken = Counter[UUID]()
    for decision in allocated:
        taken[decision.occurrence_id] += decision.seats
        assert decision.occurrence_id in decision.request.occurrence_ids
        assert decision.choice == decision.request.occurrence_ids.index(decision.occurrence_id) + 1
    for performance in performances:
        assert taken[performance.id] <= performance.capacity
        assert (
            draw.seating.free_seats(performance.id) == performance.capacity - taken[performance.id]
        )
    # One decision per request, and a group seated whole at one occurrence or not at all.
    assert [d.booking_id for d in draw.decisions] == [r.booking_id for r in requests]
    assert sorted((a.booking_id, a.occurrence_id, a.seats) for a in draw.seating.allocations()) == (
        sorted((d.booking_id, d.occurrence_id, d.request.seats) for d in allocated)
    )
    lifted, drawn = seats_per_pupil(world, draw.decisions), seats_per_pupil(world, alone)
    assert min(lifted.values()) >= min(drawn.values())
    assert sum(taken.values()) >= sum(d.seats for d in alone if isinstance(d, Allocated))
    for before, after in zip(alone, draw.decisions, strict=True):
        assert isinstance(after, Rejected) == isinstance(before, Rejected)
        adjustment = None if isinstance(after, Rejected) else after.adjustment
        if adjustment is None:
            continue
        explained = explain(after)
        assert all(text.endswith(".") and "{" not in text for text in explained.values())
        if adjustment.change is Change.LIFTED:
            assert isinstance(before, Waitlisted) and isinstance(after, Allocated)
        else:
            assert isinstance(before, Allocated)
            assert adjustment.drawn_choice == before.choice
            assert isinstance(
                after, Waitlisted if adjustment.change is Change.DISPLACED else Allocated
            )


@settings(max_examples=50, deadline=None)
@given(worlds())
def test_lifts_are_the_same_every_time_from_the_same_seed(world: World) -> None:
    performances, requests, term, seed = world

    first = allocate_fairly(performances, requests, term, seed).decisions
    again = allocate_fairly(list(reversed(performances)), list(reversed(requests)), term, seed)

    assert by_booking(first) == by_booking(again.decisions)
