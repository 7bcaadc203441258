"""Whatever happens, under every policy: no occurrence holds more than its seats, no group is
seated twice for one event, no group is split, and no seat stays idle that a waiting group fits."""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocation.domain import (
    Allocated,
    Allocation,
    Occurrence,
    Seating,
    SeatRequest,
    UnknownBooking,
    split_by_district,
)
from kulturbro_contracts.vocabulary import BookingPolicy

from .builders import WINDOW_OPENS, occurrence

EVENTS = (UUID(int=1), UUID(int=2))
DISTRICTS = ("Norr", "Söder", None)


@dataclass(frozen=True)
class World:
    occurrences: list[Occurrence]
    groups: list[tuple[UUID, UUID, str | None]]
    """(group, school, district)"""
    school_cap: int | None
    district_pupils: dict[UUID, dict[str, int]]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    occurrences = [
        occurrence(
            event_id,
            capacity=draw(st.integers(15, 70)),
            day=draw(st.integers(2, 30)),
            cancelled=draw(st.integers(0, 9)) == 0,
        )
        for event_id in EVENTS
        for _ in range(draw(st.integers(1, 2)))
    ]
    schools = [UUID(int=100 + n) for n in range(draw(st.integers(1, 4)))]
    groups = [
        (UUID(int=1000 + n), draw(st.sampled_from(schools)), draw(st.sampled_from(DISTRICTS)))
        for n in range(draw(st.integers(2, 10)))
    ]
    pupils = st.fixed_dictionaries({"Norr": st.integers(0, 500), "Söder": st.integers(0, 500)})
    return World(
        occurrences,
        groups,
        draw(st.none() | st.integers(15, 120)),
        {event_id: draw(pupils) for event_id in EVENTS},
    )


@dataclass(frozen=True)
class Ask:
    group: int
    event: int
    wanted: list[int]
    foreign: bool
    """Names an occurrence of the other event too, which is not offered."""
    pupils: int
    adults: int
    minute: int


asks = st.builds(
    Ask,
    group=st.integers(0, 9),
    event=st.integers(0, 1),
    wanted=st.lists(st.integers(0, 5), min_size=1, max_size=3),
    foreign=st.integers(0, 5).map(lambda n: n == 0),
    pupils=st.integers(0, 30),
    adults=st.integers(0, 3),
    minute=st.integers(0, 600),
)
steps = st.one_of(
    st.tuples(st.just("request"), asks),
    st.tuples(st.just("cancel"), st.integers(0, 40), st.integers(0, 40), st.integers(0, 9)),
    st.tuples(st.just("release"), st.integers(0, 1), st.integers(0, 40)),
)


class Replay:
    """Makes drawn asks into requests with fresh bookings; checks the seating after each step."""

    def __init__(self, world: World, policy: BookingPolicy) -> None:
        self.world, self.policy = world, policy
        self.bookings = count(10_000)
        self.asked: list[SeatRequest] = []
        self.released: set[UUID] = set()
        self.latest = WINDOW_OPENS

    def request(self, ask: Ask) -> SeatRequest:
        group, school, district = self.world.groups[ask.group % len(self.world.groups)]
        event_id = EVENTS[ask.event]
        of_event = [o.id for o in self.world.occurrences if o.event_id == event_id]
        wanted = [of_event[n % len(of_event)] for n in ask.wanted]
        if ask.foreign:
            wanted += [o.id for o in self.world.occurrences if o.event_id != event_id][:1]
        asked = SeatRequest(
            booking_id=UUID(int=next(self.bookings)),
            event_id=event_id,
            group_id=group,
            unit_id=school,
            district=district,
            pupils=ask.pupils,
            adults=ask.adults,
            occurrence_ids=tuple(wanted),
            requested_at=self.latest + timedelta(minutes=ask.minute),
        )
        self.asked.append(asked)
        return asked

    def check(self, seating: Seating) -> None:
        capacity = {o.id: 0 if o.cancelled else o.capacity for o in self.world.occurrences}
        asked = {r.booking_id: r for r in self.asked}
        held = seating.allocations()
        waiting = [w.request for w in seating.waiting()]

        seated = Counter[UUID]()
        for allocation in held:
            request = asked[allocation.booking_id]
            assert allocation.seats == request.seats == request.pupils + request.adults
            assert allocation.occurrence_id in request.occurrence_ids
            assert allocation.event_id == request.event_id
            seated[allocation.occurrence_id] += allocation.seats
        for occurrence_id, seats in capacity.items():
            assert seated[occurrence_id] <= seats
            assert seating.free_seats(occurrence_id) == seats - seated[occurrence_id]

        live = Counter((a.group_id, a.event_id) for a in held)
        live.update((r.group_id, r.event_id) for r in waiting)
        assert all(times == 1 for times in live.values())

        by_school = Counter[tuple[UUID, UUID]]()
        for allocation in held:
            by_school[(allocation.unit_id, allocation.event_id)] += allocation.seats
        if self.world.school_cap is not None:
            assert all(seats <= self.world.school_cap for seats in by_school.values())
        for request in waiting:
            assert not self._fits(seating, request, held), f"{request} waits beside free seats"

    def _fits(self, seating: Seating, request: SeatRequest, held: list[Allocation]) -> bool:
        cap = self.world.school_cap
        held_by_school = sum(
            a.seats for a in held if (a.unit_id, a.event_id) == (request.unit_id, request.event_id)
        )
        if cap is not None and held_by_school + request.seats > cap:
            return False
        quotas_hold = (
            self.policy is BookingPolicy.DISTRICT_QUOTAS and request.event_id not in self.released
        )
        if quotas_hold and self._share_left(request, held) < request.seats:
            return False
        return any(
            seating.free_seats(o.id) >= request.seats
            for o in self._offered(request)
            if o.starts_at > self.latest
        )

    def _offered(self, request: SeatRequest) -> list[Occurrence]:
        return [
            o
            for o in self.world.occurrences
            if o.id in request.occurrence_ids
            and not o.cancelled
            and o.event_id == request.event_id
            and o.starts_at > request.requested_at
        ]

    def _share_left(self, request: SeatRequest, held: list[Allocation]) -> int:
        event_capacity = sum(
            o.capacity
            for o in self.world.occurrences
            if o.event_id == request.event_id and not o.cancelled
        )
        shares = split_by_district(event_capacity, self.world.district_pupils[request.event_id])
        share = shares.get(request.district, 0) if request.district else 0
        asked = {r.booking_id: r for r in self.asked}
        used = sum(
            a.seats
            for a in held
            if a.event_id == request.event_id and asked[a.booking_id].district == request.district
        )
        return share - used

    def shares_kept(self, held: list[Allocation]) -> None:
        asked = {r.booking_id: r for r in self.asked}
        for event_id in EVENTS:
            if event_id in self.released:
                continue
            capacity = sum(
                o.capacity
                for o in self.world.occurrences
                if o.event_id == event_id and not o.cancelled
            )
            shares = split_by_district(capacity, self.world.district_pupils[event_id])
            used = Counter[str | None]()
            for allocation in held:
                if allocation.event_id == event_id:
                    used[asked[allocation.booking_id].district] += allocation.seats
            for district, seats in used.items():
                assert seats <= (shares.get(district, 0) if district else 0)


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(BookingPolicy),
    worlds(),
    st.lists(asks, min_size=3, max_size=20),
    st.lists(steps, max_size=30),
    st.integers(0, 2**32),
)
def test_requests_and_cancellations_never_oversell(
    policy: BookingPolicy,
    world: World,
    window: list[Ask],
    afterwards: list[tuple],  # type: ignore[type-arg]
    seed: int,
) -> None:
    replay = Replay(world, policy)
    seating = Seating(
        world.occurrences,
        policy,
        seed=seed,
        school_cap=world.school_cap,
        district_pupils=world.district_pupils,
    )
    first = [replay.request(ask) for ask in window]
    decisions = (
        [seating.request(r) for r in sorted(first, key=lambda r: r.requested_at)]
        if policy is BookingPolicy.INSTANT
        else seating.draw(first)
    )
    assert len(decisions) == len(first)
    replay.check(seating)
    if policy is BookingPolicy.DISTRICT_QUOTAS:
        replay.shares_kept(seating.allocations())

    for step in afterwards:
        seated_before = {a.booking_id for a in seating.allocations()}
        outcome: list[Allocated] = []
        if step[0] == "request":
            decided = seating.request(replay.request(step[1]))
            outcome = [decided] if isinstance(decided, Allocated) else []
        elif step[0] == "cancel":
            _, which, hours, unknown = step
            replay.latest = max(replay.latest, WINDOW_OPENS + timedelta(hours=2 * hours))
            live = sorted(seated_before | {w.booking_id for w in seating.waiting()})
            # Mostly a live booking; now and then one that is not (rejected, cancelled, unheard of).
            booking = (
                UUID(int=10_000 + which) if unknown == 0 or not live else live[which % len(live)]
            )
            if booking in live:
                outcome = seating.cancel(booking, at=replay.latest)
                assert booking not in {a.booking_id for a in seating.allocations()}
            else:
                with pytest.raises(UnknownBooking):
                    seating.cancel(booking, at=replay.latest)
        else:
            _, event, hours = step
            replay.latest = max(replay.latest, WINDOW_OPENS + timedelta(hours=2 * hours))
            outcome = seating.release_quotas(EVENTS[event], at=replay.latest)
            if policy is BookingPolicy.DISTRICT_QUOTAS:
                replay.released.add(EVENTS[event])
        now_seated = {a.booking_id for a in seating.allocations()}
        assert {a.booking_id for a in outcome} <= now_seated - seated_before
        replay.check(seating)
        if policy is BookingPolicy.DISTRICT_QUOTAS:
            replay.shares_kept(seating.allocations())
