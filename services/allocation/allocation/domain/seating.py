"""Who holds seats at which occurrence and who waits: the one place seats are given or taken back.

A seating covers the occurrences of one or more events decided under the same policy. It is
rebuilt by replaying its stored inputs (occurrences, history, seed, then the requests,
cancellations and releases in the order they happened), so every decision can be reproduced.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from uuid import UUID

from allocation.domain.decisions import (
    Adjustment,
    Allocated,
    Allocation,
    Basis,
    Change,
    Decision,
    Ranking,
    Rejected,
    RejectionReason,
    Waitlisted,
)
from allocation.domain.districts import split_by_district
from allocation.domain.history import TermHistory
from allocation.domain.occurrence import Occurrence
from allocation.domain.priority import (
    Candidate,
    Order,
    Tally,
    arrival,
    in_turns,
    lottery_ticket,
    rotating_priority,
)
from allocation.domain.seat_request import SeatRequest
from allocation.domain.waitlist import Waitlist
from allocation.domain.worst_off import Lift, lift_worst_off
from kulturbro_contracts.vocabulary import BookingPolicy

Scope = tuple[UUID, str | None]


class UnknownBooking(LookupError):
    """The booking holds no seats and waits for none here."""


class BookingAlreadyDecided(ValueError):
    """The same booking was asked to be decided twice."""


class Seating:
    def __init__(
        self,
        occurrences: Iterable[Occurrence],
        policy: BookingPolicy,
        *,
        history: TermHistory | None = None,
        seed: int = 0,
        school_cap: int | None = None,
        district_pupils: Mapping[UUID, Mapping[str, int]] | None = None,
        lifts_worst_off: bool = True,
    ) -> None:
        """`school_cap` limits the seats one school may hold per event; `district_pupils` gives,
        per event, the pupils of its target groups in each district (district quotas only);
        `lifts_worst_off` False leaves a fair draw as served, to measure what lifting adds."""
        self.policy = policy
        self.lifts_worst_off = lifts_worst_off
        self.seed = seed
        self.school_cap = school_cap
        self.occurrences = {occurrence.id: occurrence for occurrence in occurrences}
        self._free = {o.id: 0 if o.cancelled else o.capacity for o in self.occurrences.values()}
        history = history or TermHistory()
        self._schools = {unit: Tally(r.seats, r.pupils) for unit, r in history.schools.items()}
        self._groups = {group: Tally(r.seats, r.pupils) for group, r in history.groups.items()}
        self._schools_in_history = frozenset(history.schools)
        self._order = arrival if policy is BookingPolicy.INSTANT else rotating_priority
        # A place in arrival order never changes, so it is worked out once per request: a queue's
        # positions compare every waiting request's.
        self._arrivals: dict[UUID, Order] | None = {} if policy is BookingPolicy.INSTANT else None
        self._decided: set[UUID] = set()
        self._candidates: dict[UUID, Candidate] = {}
        self._live: set[tuple[UUID, UUID]] = set()
        self._held: dict[UUID, UUID] = {}
        self._school_event_seats: Counter[tuple[UUID, UUID]] = Counter()
        self._waitlist = Waitlist()
        self._shares: dict[Scope, int] = {}
        self._released: set[UUID] = set()
        if policy is BookingPolicy.DISTRICT_QUOTAS:
            capacity = Counter[UUID]()
            for occurrence in self.occurrences.values():
                if not occurrence.cancelled:
                    capacity[occurrence.event_id] += occurrence.capacity
            for event_id, pupils in (district_pupils or {}).items():
                for district, seats in split_by_district(capacity[event_id], pupils).items():
                    self._shares[(event_id, district)] = seats
        self._share_left = dict(self._shares)
        # Seats held out of the draw for outreach, per occurrence, until released.
        self._held_back: dict[UUID, int] = {}

    def restore(
        self,
        held: Iterable[tuple[SeatRequest, UUID]],
        waiting: Iterable[tuple[SeatRequest, Basis]],
    ) -> None:
        """Takes back decisions made earlier and kept elsewhere (a service's tables), so the
        seating can go on from them; `history` must then leave these seats out."""
        for request, occurrence_id in held:
            admitted = self._admit(request)
            if isinstance(admitted, Candidate):
                self._hold(admitted, occurrence_id)
        for request, basis in waiting:
            admitted = self._admit(request)
            if isinstance(admitted, Candidate):
                self._waitlist.add(Waitlisted(request, 0, basis, self.policy))

    def hold_back(self, seats: Mapping[UUID, int]) -> None:
        """Holds seats of occurrences out of every decision but an accepted offer, as far as
        they are free; the seats already held count towards it."""
        for occurrence_id, wanted in seats.items():
            if occurrence_id not in self._free:
                continue
            already = self._held_back.get(occurrence_id, 0)
            more = min(max(wanted - already, 0), self._free[occurrence_id])
            self._free[occurrence_id] -= more
            self._held_back[occurrence_id] = already + more

    def held_back(self, occurrence_id: UUID) -> int:
        return self._held_back.get(occurrence_id, 0)

    def accept_offer(self, request: SeatRequest, occurrence_id: UUID) -> Decision:
        """Seats a group that accepts the held-back seats offered to it, at once, from those
        seats; if fewer are held there than it needs (the occurrence shrank), as a request."""
        if (
            self._held_back.get(occurrence_id, 0) < request.seats
            or occurrence_id not in request.occurrence_ids
            or not self._offered(occurrence_id, request)
            or self._over_school_cap(request)
        ):
            return self.request(request)
        admitted = self._admit(request)
        if isinstance(admitted, Rejected):
            return admitted
        self._take_held_back(admitted, occurrence_id)
        return self._allocated(request, occurrence_id, Basis.OFFER)

    def release_held_back(self, event_id: UUID, *, at: datetime) -> list[Allocated]:
        """On the release date, the held-back seats left go to waiting groups in the fair order."""
        for occurrence_id in [
            o for o in self._held_back if self.occurrences[o].event_id == event_id
        ]:
            self._free[occurrence_id] += self._held_back.pop(occurrence_id)
        return self._promote({event_id}, at, Basis.OUTREACH_RELEASE)

    def give_back_held(self, occurrence_id: UUID, seats: int, *, at: datetime) -> list[Allocated]:
        """Seats held for an offer that can no longer be accepted go to the groups waiting."""
        given = min(seats, self._held_back.get(occurrence_id, 0))
        if not given:
            return []
        self._held_back[occurrence_id] -= given
        self._free[occurrence_id] += given
        return self._promote({self.occurrences[occurrence_id].event_id}, at, Basis.OUTREACH_RELEASE)

    def _take_held_back(self, candidate: Candidate, occurrence_id: UUID) -> None:
        seats = candidate.request.seats
        self._held_back[occurrence_id] -= seats
        self._free[occurrence_id] += seats
        self._hold(candidate, occurrence_id)

    def request(self, request: SeatRequest) -> Decision:
        """Decides a request on arrival: the first acceptable occurrence with room, else wait.

        Under a draw policy this is how requests made after the draw are decided."""
        admitted = self._admit(request)
        if isinstance(admitted, Rejected):
            return admitted
        if self._over_school_cap(request):
            return self._reject_over_cap(request)
        occurrence = self._room_for(admitted, request.requested_at)
        if occurrence is not None:
            self._hold(admitted, occurrence)
            return self._allocated(request, occurrence, Basis.ARRIVAL)
        held_back = self._quota_scope(request) is not None
        waiting = Waitlisted(
            request, 0, Basis.DISTRICT_SHARE if held_back else Basis.ARRIVAL, self.policy
        )
        self._waitlist.add(waiting)
        return waiting.at(self._waitlist.position(request, self._order_of))

    def draw(self, requests: Iterable[SeatRequest]) -> list[Decision]:
        """Decides requests gathered in a window together, in the order of the rotating priority,
        then (a fair draw only) lifts the worst-off schools by moving seated groups.

        Returns one decision per request, in the order given; the order given does not matter."""
        requests = list(requests)
        decisions: dict[UUID, Decision] = {}
        # Of a group's several requests for one event, the earliest counts.
        ranked: list[Candidate] = []
        for request in sorted(requests, key=lambda r: (r.requested_at, r.booking_id.int)):
            admitted = self._admit(request)
            if isinstance(admitted, Rejected):
                decisions[request.booking_id] = admitted
            else:
                ranked.append(admitted)
        in_scope = Counter(self._rank_scope(c.request) for c in ranked)
        ranks = Counter[Scope]()
        drawn: dict[UUID, tuple[Basis, Ranking]] = {}
        seated: list[Candidate] = []
        waiting: list[Candidate] = []
        for candidate, occurrence in self._serve(ranked, at=None):
            request = candidate.request
            scope = self._rank_scope(request)
            ranks[scope] += 1
            ranking = Ranking(ranks[scope], in_scope[scope], *self._share_of(scope))
            basis = Basis.DRAW if ranking.district_share is None else Basis.DISTRICT_SHARE
            if occurrence is None and self._over_school_cap(request):
                decisions[request.booking_id] = self._reject_over_cap(request)
                continue
            drawn[request.booking_id] = (basis, ranking)
            if occurrence is not None:
                seated.append(candidate)
            else:
                self._waitlist.add(Waitlisted(request, 0, basis, self.policy, ranking))
                waiting.append(candidate)
        adjustments: dict[UUID, Adjustment] = {}
        if self.policy is BookingPolicy.FAIR_DRAW and self.lifts_worst_off:
            adjustments = self._lift_worst_off(seated, waiting, drawn)
        for waits in self._waitlist.in_order(self._order_of):
            if waits.booking_id in drawn:
                decisions[waits.booking_id] = waits
        for candidate in (*seated, *waiting):
            request = candidate.request
            occurrence = self._held.get(request.booking_id)
            if occurrence is not None:
                basis, ranking = drawn[request.booking_id]
                adjustment = adjustments.get(request.booking_id)
                decisions[request.booking_id] = self._allocated(
                    request, occurrence, basis, ranking, adjustment
                )
        return [decisions[request.booking_id] for request in requests]

    def _lift_worst_off(
        self,
        seated: list[Candidate],
        waiting: list[Candidate],
        drawn: dict[UUID, tuple[Basis, Ranking]],
    ) -> dict[UUID, Adjustment]:
        """Makes the lifts' steps and tells each group that ended elsewhere than the draw had
        put it how it came there."""
        drawn_at = {c.request.booking_id: self._held[c.request.booking_id] for c in seated}
        lifts = lift_worst_off(
            {c.request.booking_id: c for c in seated},
            drawn_at,
            waiting,
            self._free,
            self.seed,
            event_seats=self._school_event_seats,
            school_cap=self.school_cap,
        )
        # The last lift each group made room for, and the lift that seated each waiting group.
        made_room: dict[UUID, Lift] = {}
        seated_by: dict[UUID, Lift] = {}
        for lift in lifts:
            seated_by[lift.lifted.request.booking_id] = lift
            for step in lift.steps:
                candidate, request = step.candidate, step.candidate.request
                if step.left is None:
                    self._waitlist.remove(request)
                else:
                    self._give_back(candidate, self._held.pop(request.booking_id))
                if step.took is None:
                    basis, ranking = drawn[request.booking_id]
                    self._waitlist.add(Waitlisted(request, 0, basis, self.policy, ranking))
                else:
                    self._hold(candidate, step.took)
                if candidate is not lift.lifted:
                    made_room[request.booking_id] = lift
        adjustments: dict[UUID, Adjustment] = {}
        for booking_id in seated_by.keys() | made_room.keys():
            request = self._candidates[booking_id].request
            now, before = self._held.get(booking_id), drawn_at.get(booking_id)
            if before is None and now is not None:
                lifted_by = seated_by[booking_id]
                adjustments[booking_id] = Adjustment(
                    Change.LIFTED,
                    lifted_by.school_had_none,
                    displacing=bool(lifted_by.displaced),
                    moving=bool(lifted_by.moved),
                )
            elif before is not None and now != before:
                adjustments[booking_id] = Adjustment(
                    Change.MOVED if now else Change.DISPLACED,
                    made_room[booking_id].school_had_none,
                    request.occurrence_ids.index(before) + 1,
                )
                if now is None:
                    basis, ranking = drawn[booking_id]
                    self._waitlist.add(
                        Waitlisted(request, 0, basis, self.policy, ranking, adjustments[booking_id])
                    )
        return adjustments

    def cancel(self, booking_id: UUID, *, at: datetime) -> list[Allocated]:
        """Frees a booking's seats and promotes the waiting requests that now fit, in order."""
        candidate = self._candidates.get(booking_id)
        if candidate is None:
            raise UnknownBooking(booking_id)
        request = candidate.request
        del self._candidates[booking_id]
        self._live.discard((request.group_id, request.event_id))
        if self._waitlist.holds(request):
            self._waitlist.remove(request)
            return []
        self._give_back(candidate, self._held.pop(booking_id))
        return self._promote({request.event_id}, at, Basis.PROMOTION)

    def release_quotas(self, event_id: UUID, *, at: datetime) -> list[Allocated]:
        """After the release date, the seats districts have not used are free for all."""
        if self.policy is not BookingPolicy.DISTRICT_QUOTAS or event_id in self._released:
            return []
        self._released.add(event_id)
        return self._promote({event_id}, at, Basis.FREE_FOR_ALL)

    def allocations(self) -> list[Allocation]:
        return [
            Allocation.of(self._candidates[booking_id].request, occurrence_id)
            for booking_id, occurrence_id in self._held.items()
        ]

    def waiting(self) -> list[Waitlisted]:
        """Every waiting request, with its place in its event's queue now."""
        return self._waitlist.in_order(self._order_of)

    def free_seats(self, occurrence_id: UUID) -> int:
        return self._free[occurrence_id]

    def _admit(self, request: SeatRequest) -> Candidate | Rejected:
        if request.booking_id in self._decided:
            raise BookingAlreadyDecided(request.booking_id)
        self._decided.add(request.booking_id)
        acceptable = tuple(
            occurrence_id
            for occurrence_id in dict.fromkeys(request.occurrence_ids)
            if self._offered(occurrence_id, request)
        )
        reason: RejectionReason | None = None
        if request.seats < 1:
            reason = RejectionReason.NO_PARTICIPANTS
        elif not acceptable:
            reason = RejectionReason.OCCURRENCE_NOT_OFFERED
        elif request.seats > max(self.occurrences[o].capacity for o in acceptable):
            reason = RejectionReason.GROUP_TOO_LARGE
        elif self.school_cap is not None and request.seats > self.school_cap:
            reason = RejectionReason.SCHOOL_LIMIT_REACHED
        elif (request.group_id, request.event_id) in self._live:
            reason = RejectionReason.ALREADY_REQUESTED
        if reason is not None:
            return Rejected(request, reason, self.policy, self.school_cap)
        self._live.add((request.group_id, request.event_id))
        group = self._groups.get(request.group_id)
        if group is None:
            group = self._groups[request.group_id] = Tally(0, request.pupils)
            if request.unit_id not in self._schools_in_history:
                self._schools.setdefault(request.unit_id, Tally(0, 0)).pupils += request.pupils
        candidate = Candidate(
            request,
            acceptable,
            lottery_ticket(self.seed, request.booking_id),
            self._schools[request.unit_id],
            group,
        )
        self._candidates[request.booking_id] = candidate
        return candidate

    def _offered(self, occurrence_id: UUID, request: SeatRequest) -> bool:
        occurrence = self.occurrences.get(occurrence_id)
        return (
            occurrence is not None
            and not occurrence.cancelled
            and occurrence.event_id == request.event_id
            and occurrence.starts_at > request.requested_at
        )

    def _order_of(self, request: SeatRequest) -> Order:
        if self._arrivals is None:
            return self._order(self._candidates[request.booking_id])
        order = self._arrivals.get(request.booking_id)
        if order is None:
            order = self._arrivals[request.booking_id] = arrival(
                self._candidates[request.booking_id]
            )
        return order

    def _serve(
        self, candidates: list[Candidate], at: datetime | None
    ) -> Iterator[tuple[Candidate, UUID | None]]:
        """Offers seats to each candidate once, in the policy's order as it stands at its turn."""
        for index in in_turns(candidates, self._order):
            candidate = candidates[index]
            occurrence = self._room_for(candidate, at)
            if occurrence is not None:
                self._hold(candidate, occurrence)
            yield candidate, occurrence

    def _promote(self, event_ids: set[UUID], at: datetime, basis: Basis) -> list[Allocated]:
        candidates = [
            self._candidates[waiting.booking_id]
            for waiting in self._waitlist
            if waiting.request.event_id in event_ids
        ]
        promotions = []
        for candidate, occurrence in self._serve(candidates, at):
            if occurrence is not None:
                self._waitlist.remove(candidate.request)
                promotions.append(self._allocated(candidate.request, occurrence, basis))
        return promotions

    def _room_for(self, candidate: Candidate, at: datetime | None) -> UUID | None:
        request = candidate.request
        seats = request.seats
        if self._over_school_cap(request):
            return None
        share = self._quota_scope(request)
        if share is not None and self._share_left.get(share, 0) < seats:
            return None
        for occurrence_id in candidate.acceptable:
            if self._free[occurrence_id] >= seats and (
                at is None or self.occurrences[occurrence_id].starts_at > at
            ):
                return occurrence_id
        return None

    def _over_school_cap(self, request: SeatRequest) -> bool:
        if self.school_cap is None:
            return False
        held = self._school_event_seats[(request.unit_id, request.event_id)]
        return held + request.seats > self.school_cap

    def _quota_scope(self, request: SeatRequest) -> Scope | None:
        if self.policy is not BookingPolicy.DISTRICT_QUOTAS or request.event_id in self._released:
            return None
        return (request.event_id, request.district)

    def _rank_scope(self, request: SeatRequest) -> Scope:
        """A draw ranks each event's requests, within each district when seats are shared out."""
        return self._quota_scope(request) or (request.event_id, None)

    def _share_of(self, scope: Scope) -> tuple[str | None, int | None]:
        if self.policy is not BookingPolicy.DISTRICT_QUOTAS:
            return None, None
        return scope[1], self._shares.get(scope, 0)

    def _hold(self, candidate: Candidate, occurrence_id: UUID) -> None:
        self._move(candidate, occurrence_id, candidate.request.seats)
        self._held[candidate.request.booking_id] = occurrence_id

    def _give_back(self, candidate: Candidate, occurrence_id: UUID) -> None:
        self._move(candidate, occurrence_id, -candidate.request.seats)

    def _move(self, candidate: Candidate, occurrence_id: UUID, seats: int) -> None:
        request = candidate.request
        self._free[occurrence_id] -= seats
        candidate.school.seats += seats
        candidate.group.seats += seats
        if self.school_cap is not None:
            self._school_event_seats[(request.unit_id, request.event_id)] += seats
        share = self._quota_scope(request)
        if share is not None:
            self._share_left[share] -= seats

    def _allocated(
        self,
        request: SeatRequest,
        occurrence_id: UUID,
        basis: Basis,
        ranking: Ranking | None = None,
        adjustment: Adjustment | None = None,
    ) -> Allocated:
        choice = request.occurrence_ids.index(occurrence_id) + 1
        return Allocated(request, occurrence_id, choice, basis, self.policy, ranking, adjustment)

    def _reject_over_cap(self, request: SeatRequest) -> Rejected:
        del self._candidates[request.booking_id]
        self._live.discard((request.group_id, request.event_id))
        return Rejected(request, RejectionReason.SCHOOL_LIMIT_REACHED, self.policy, self.school_cap)
