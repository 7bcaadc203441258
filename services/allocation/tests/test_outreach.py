"""Outreach: held-back seats offered to the groups no request reaches, and held out of the draw."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from allocation.domain import Allocated, Basis, Received, Seating, Waitlisted, explain
from allocation.domain.explanations import explain_offer, explain_offer_end
from allocation.domain.outreach import (
    Offered,
    OfferState,
    ReachGroup,
    choose_offers,
    held_back_seats,
    offered_seats,
    release_instant,
    school_year_start,
)
from allocation.outreach import release_moment
from kulturbro_contracts.vocabulary import BookingPolicy, Language, TargetGroup

from .builders import WINDOW_OPENS, occurrence, request

EVENT = UUID(int=1)
DEADLINE = WINDOW_OPENS + timedelta(days=10)
TARGETS = (TargetGroup.GRADE_4, TargetGroup.GRADE_5)


def group(school: UUID, pupils: int = 20, **changes: object) -> ReachGroup:
    fields: dict[str, object] = {
        "group_id": uuid4(),
        "unit_id": school,
        "target_group": TargetGroup.GRADE_4,
        "pupils": pupils,
        "visited": False,
        "requested": False,
    }
    return ReachGroup(**(fields | changes))  # type: ignore[arg-type]


def offers_for(
    held: dict[UUID, int], occurrences: list, groups: list[ReachGroup], schools=None, seed=7
) -> list[Offered]:
    return choose_offers(
        EVENT,
        held,
        occurrences,
        groups,
        schools or {},
        targets=TARGETS,
        adults_per_group=2,
        deadline=DEADLINE,
        seed=seed,
    )


def test_a_school_with_no_visit_is_offered_before_one_with_few() -> None:
    show = occurrence(EVENT, 100)
    visited_school, unvisited_school = uuid4(), uuid4()
    groups = [group(visited_school), group(unvisited_school)]
    offers = offers_for({show.id: 22}, [show], groups, schools={visited_school: Received(25, 400)})
    assert [o.unit_id for o in offers] == [unvisited_school]
    assert offers[0].seats == 22 and not offers[0].school_had_visit


def test_only_groups_with_no_visit_no_request_and_of_the_event_s_age_are_offered() -> None:
    show = occurrence(EVENT, 200)
    school = uuid4()
    reachable = group(school)
    groups = [
        reachable,
        group(school, visited=True),
        group(school, requested=True),
        group(school, target_group=TargetGroup.GRADE_9),
        group(school, pupils=0),
    ]
    assert [o.group_id for o in offers_for({show.id: 200}, [show], groups)] == [reachable.group_id]


def test_an_occurrence_before_the_deadline_or_cancelled_is_never_offered() -> None:
    early = occurrence(EVENT, 100, day=5)
    cancelled = occurrence(EVENT, 100, cancelled=True)
    groups = [group(uuid4())]
    assert offers_for({early.id: 50, cancelled.id: 50}, [early, cancelled], groups) == []


def test_schools_take_turns_as_offers_count_against_them() -> None:
    show = occurrence(EVENT, 200)
    big, small = uuid4(), uuid4()
    groups = [group(big), group(big), group(small)]
    offers = offers_for({show.id: 44}, [show], groups)
    assert sorted(o.unit_id.int for o in offers) == sorted([big.int, small.int])


def test_seats_held_are_a_share_rounded_down_and_the_school_year_starts_in_july() -> None:
    assert held_back_seats(60, 15) == 9
    assert held_back_seats(60, 0) == 0
    assert held_back_seats(60, 100) == 60
    assert school_year_start(datetime(2027, 3, 1, tzinfo=UTC)) == datetime(2026, 7, 1, tzinfo=UTC)
    assert school_year_start(datetime(2027, 7, 1, tzinfo=UTC)) == datetime(2027, 7, 1, tzinfo=UTC)


def test_the_release_is_the_day_s_first_moment_where_the_municipality_is() -> None:
    released = release_instant(datetime(2027, 3, 8).date(), "Europe/Stockholm")
    assert released == datetime(2027, 3, 7, 23, tzinfo=UTC)


@st.composite
def outreach_worlds(draw: st.DrawFn) -> tuple[dict[UUID, int], list, list[ReachGroup], dict]:
    occurrences = [
        occurrence(
            EVENT,
            capacity=draw(st.integers(10, 90)),
            day=draw(st.integers(2, 30)),
            cancelled=draw(st.integers(0, 9)) == 0,
        )
        for _ in range(draw(st.integers(1, 4)))
    ]
    held = {o.id: held_back_seats(o.capacity, draw(st.integers(0, 100))) for o in occurrences}
    schools = [UUID(int=100 + n) for n in range(draw(st.integers(1, 6)))]
    groups = [
        ReachGroup(
            UUID(int=1000 + n),
            draw(st.sampled_from(schools)),
            draw(st.sampled_from([*TARGETS, TargetGroup.GRADE_9])),
            draw(st.integers(0, 40)),
            visited=draw(st.integers(0, 4)) == 0,
            requested=draw(st.integers(0, 4)) == 0,
        )
        for n in range(draw(st.integers(0, 20)))
    ]
    history = {
        school: Received(draw(st.integers(0, 60)), draw(st.integers(1, 300)))
        for school in schools
        if draw(st.booleans())
    }
    return held, occurrences, groups, history


def _per_pupil(schools: dict[UUID, Received], extra: dict[UUID, int], groups) -> dict:
    pupils: dict[UUID, int] = {}
    for g in groups:
        pupils[g.unit_id] = pupils.get(g.unit_id, 0) + g.pupils
    return {
        school: (schools.get(school, Received(0, 0)).seats + extra.get(school, 0))
        / max(schools.get(school, Received(0, 0)).pupils, count, 1)
        for school, count in pupils.items()
    }


@settings(max_examples=300, deadline=None)
@given(outreach_worlds(), st.integers(0, 2**62))
def test_offers_never_oversell_never_split_and_only_where_the_group_can_go(
    world: tuple[dict[UUID, int], list, list[ReachGroup], dict], seed: int
) -> None:
    held, occurrences, groups, history = world
    offers = offers_for(held, occurrences, groups, history, seed)
    by_id = {o.id: o for o in occurrences}
    by_group = {g.group_id: g for g in groups}
    # Never more seats offered than are held at an occurrence.
    for occurrence_id, seats in offered_seats(offers).items():
        assert seats <= held[occurrence_id]
    # A group is offered once, whole, at an occurrence of the event it can attend.
    assert len({o.group_id for o in offers}) == len(offers)
    for offer in offers:
        reached = by_group[offer.group_id]
        assert offer.pupils == reached.pupils and offer.adults == 2
        assert reached.target_group in TARGETS and not reached.visited and not reached.requested
        place = by_id[offer.occurrence_id]
        assert not place.cancelled and place.starts_at > DEADLINE
    # Reproducible from the seed, whatever order the groups come in.
    assert offers_for(held, occurrences, list(reversed(groups)), history, seed) == offers
    # No eligible group is passed over while held seats it fits remain.
    left = {o.id: held.get(o.id, 0) for o in occurrences if not o.cancelled}
    for occurrence_id, seats in offered_seats(offers).items():
        left[occurrence_id] -= seats
    offered = {o.group_id for o in offers}
    for g in groups:
        if g.group_id in offered or g.visited or g.requested or g.pupils == 0:
            continue
        if g.target_group not in TARGETS:
            continue
        assert all(
            seats < g.pupils + 2 or by_id[o].starts_at <= DEADLINE for o, seats in left.items()
        )


@settings(max_examples=200, deadline=None)
@given(outreach_worlds(), st.integers(0, 2**62))
def test_the_worst_off_school_is_never_worse_off_than_the_draw_alone_left_it(
    world: tuple[dict[UUID, int], list, list[ReachGroup], dict], seed: int
) -> None:
    held, occurrences, groups, history = world
    offers = offers_for(held, occurrences, groups, history, seed)
    gained: dict[UUID, int] = {}
    for offer in offers:
        gained[offer.unit_id] = gained.get(offer.unit_id, 0) + offer.seats
    before = _per_pupil(history, {}, groups)
    after = _per_pupil(history, gained, groups)
    if before:
        assert min(after.values()) >= min(before.values())
    # The first offer goes to a school that had had nothing, when such a school's group fits.
    if offers and any(not o.school_had_visit for o in offers):
        assert not offers[0].school_had_visit


def test_held_back_seats_are_out_of_the_draw_and_an_accepted_offer_is_seated_from_them() -> None:
    show = occurrence(EVENT, 60)
    seating = Seating([show], BookingPolicy.FAIR_DRAW, seed=3)
    seating.hold_back({show.id: 25})
    drawn = seating.draw([request(show, school=uuid4(), pupils=23, minute=n) for n in range(3)])
    assert sum(isinstance(d, Allocated) for d in drawn) == 1
    assert seating.free_seats(show.id) == 10 and seating.held_back(show.id) == 25
    accepted = seating.accept_offer(request(show, school=uuid4(), pupils=20, minute=99), show.id)
    assert isinstance(accepted, Allocated) and accepted.basis is Basis.OFFER
    assert seating.held_back(show.id) == 3 and seating.free_seats(show.id) == 10
    released = seating.release_held_back(EVENT, at=WINDOW_OPENS + timedelta(days=17))
    assert released == [] and seating.free_seats(show.id) == 13


def test_on_release_what_is_left_goes_to_the_waiting_list_in_the_fair_order() -> None:
    show = occurrence(EVENT, 50)
    seating = Seating([show], BookingPolicy.FAIR_DRAW, seed=3)
    seating.hold_back({show.id: 25})
    drawn = seating.draw([request(show, school=uuid4(), minute=n) for n in range(2)])
    waiting = [d for d in drawn if isinstance(d, Waitlisted)]
    assert len(waiting) == 1
    released = seating.release_held_back(EVENT, at=WINDOW_OPENS + timedelta(days=17))
    assert [d.booking_id for d in released] == [waiting[0].booking_id]
    assert released[0].basis is Basis.OUTREACH_RELEASE
    assert "held for groups" in explain(released[0])[Language.EN]


def test_an_offer_at_an_occurrence_the_group_did_not_name_is_decided_as_a_request() -> None:
    show, other = occurrence(EVENT, 60), occurrence(EVENT, 60)
    seating = Seating([show, other], BookingPolicy.FAIR_DRAW, seed=3)
    seating.hold_back({show.id: 25})
    decided = seating.accept_offer(request(other, school=uuid4()), show.id)
    assert isinstance(decided, Allocated) and decided.basis is Basis.ARRIVAL
    assert seating.held_back(show.id) == 25


def test_holds_offers_and_releases_are_explained_in_three_languages() -> None:
    show = occurrence(EVENT, 50)
    seating = Seating([show], BookingPolicy.FAIR_DRAW, seed=3)
    seating.hold_back({show.id: 25})
    drawn = seating.draw([request(show, school=uuid4(), minute=n) for n in range(2)])
    waiting = next(d for d in drawn if isinstance(d, Waitlisted))
    held = explain(waiting, held_back=25)
    assert "The draw left out 25 seats" in held[Language.EN]
    assert "25 platser hölls utanför" in held[Language.SV]
    assert "25 paikkaa pidettiin arvonnan ulkopuolella" in held[Language.FI]
    offer = Offered(uuid4(), uuid4(), show.id, 20, 2, school_had_visit=False)
    said = explain_offer(offer)
    assert "(22 seats)" in said[Language.EN] and "no culture visit" in said[Language.EN]
    assert "(22 platser)" in said[Language.SV] and "(22 paikkaa)" in said[Language.FI]
    assert "för er klass" in explain_offer_end(OfferState.EXPIRED)[Language.SV]
    assert "peruttu" in explain_offer_end(OfferState.WITHDRAWN)[Language.FI]
    accepted = seating.accept_offer(request(show, school=uuid4(), minute=9), show.id)
    assert isinstance(accepted, Allocated)
    assert "accepted them before the deadline" in explain(accepted)[Language.EN]
    assert "tackade ja" in explain(accepted)[Language.SV]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(15, 70), min_size=1, max_size=3),
    st.integers(0, 100),
    st.lists(st.tuples(st.integers(0, 5), st.integers(1, 30)), min_size=1, max_size=12),
    st.lists(st.sampled_from(["accept", "cancel", "release", "ask"]), max_size=12),
    st.integers(0, 2**62),
)
def test_held_seats_never_oversell_through_draws_acceptances_cancellations_and_release(
    capacities: list[int],
    share: int,
    asking: list[tuple[int, int]],
    steps: list[str],
    seed: int,
) -> None:
    shows = [occurrence(EVENT, capacity, day=20 + n) for n, capacity in enumerate(capacities)]
    schools = [UUID(int=100 + n) for n in range(6)]
    seating = Seating(shows, BookingPolicy.FAIR_DRAW, seed=seed)
    unreached = [
        ReachGroup(UUID(int=5000 + n), schools[n % 6], TargetGroup.GRADE_4, 10 + n, False, False)
        for n in range(8)
    ]
    offers = offers_for(
        {s.id: held_back_seats(s.capacity, share) for s in shows}, shows, unreached, seed=seed
    )
    seating.hold_back(offered_seats(offers))
    drawn = seating.draw(
        [request(*shows, school=schools[s], pupils=p, minute=n) for n, (s, p) in enumerate(asking)]
    )
    seated = [d.booking_id for d in drawn if isinstance(d, Allocated)]
    minute = 100
    for step in steps:
        minute += 1
        at = WINDOW_OPENS + timedelta(minutes=minute)
        if step == "accept" and offers:
            offer = offers.pop()
            taken = seating.accept_offer(
                request(
                    *[s for s in shows if s.id == offer.occurrence_id],
                    school=offer.unit_id,
                    group=offer.group_id,
                    pupils=offer.pupils,
                    adults=offer.adults,
                    minute=minute,
                ),
                offer.occurrence_id,
            )
            if isinstance(taken, Allocated):
                seated.append(taken.booking_id)
        elif step == "cancel" and seated:
            seated += [p.booking_id for p in seating.cancel(seated.pop(0), at=at)]
        elif step == "release":
            seated += [p.booking_id for p in seating.release_held_back(EVENT, at=at)]
        elif step == "ask":
            asked = seating.request(request(*shows, school=schools[0], pupils=12, minute=minute))
            if isinstance(asked, Allocated):
                seated.append(asked.booking_id)
        for show in shows:
            held = sum(a.seats for a in seating.allocations() if a.occurrence_id == show.id)
            assert seating.free_seats(show.id) >= 0 and seating.held_back(show.id) >= 0
            assert held + seating.free_seats(show.id) + seating.held_back(show.id) == show.capacity


def test_the_release_moment_is_the_office_s_day_or_the_default_hold() -> None:
    closes = datetime(2027, 3, 1, 15, tzinfo=UTC)
    assert release_moment(closes, None, timedelta(days=7), "Europe/Helsinki") == closes + timedelta(
        days=7
    )
    assert release_moment(
        closes, datetime(2027, 3, 5).date(), timedelta(days=7), "Europe/Helsinki"
    ) == datetime(2027, 3, 4, 22, tzinfo=UTC)
