"""After a draw: lifting the worst-off schools, one chain of moves at a time.

The draw serves each request once, so a school whose few requests name occurrences that filled
before its turn stays low, although groups seated there had accepted other occurrences too. This
takes the school with the fewest seats per pupil that still waits and looks for a chain that
seats one of its requests: a seated group moved to another occurrence it accepted (which may
need room made the same way), ending in free seats or, failing that, in groups of schools that
keep more seats per pupil than the worst-off school had giving up their seats for the waiting
list. Each lift raises the lowest school and pushes nobody down to where it was, so the lifts
end. Seats displaced never outnumber those the lifts have added, so no fewer seats are used than
the draw used; seats a displacement leaves free go to the groups that wait and fit. Each step is
returned, so the decisions can tell what happened.
"""

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import median
from uuid import UUID

from allocation.domain.priority import Candidate, Tally, lottery_ticket

# An event has a handful of occurrences: chains through more than three are rare.
_LONGEST_CHAIN = 3
_NOBODY_LOSES = float("inf")
_NOWHERE = -1


@dataclass(frozen=True, slots=True)
class Step:
    """One group's seats changing: `left` the occurrence it gave up, `took` the one it got."""

    candidate: Candidate
    left: UUID | None
    took: UUID | None


@dataclass(frozen=True, slots=True)
class Lift:
    """One waiting group seated, and the steps that made room for it, in the order made."""

    steps: tuple[Step, ...]
    school_had_none: bool
    """The lifted school had had no seats this term until then."""

    @property
    def lifted(self) -> Candidate:
        return self.steps[-1].candidate

    @property
    def moved(self) -> list[Candidate]:
        return [s.candidate for s in self.steps if s.left is not None and s.took is not None]

    @property
    def displaced(self) -> list[Candidate]:
        """The groups that gave up their seats for the waiting list."""
        return [step.candidate for step in self.steps if step.took is None]


# A chain: (group, occurrence) pairs, the waiting group and where it is seated first, then each
# group that makes room for the one before it and where it goes (_NOWHERE: the waiting list).
_Chain = tuple[tuple[int, int], ...]
# The groups to displace and the least seats per pupil their schools keep, or None.
_Displacing = tuple[list[int], float] | None


class _Board:
    """Who sits where, what is free and each school's seats, as the lifts change them. Groups,
    occurrences and schools are numbered: the search runs thousands of times in a national draw.
    """

    def __init__(
        self,
        seated: Mapping[UUID, Candidate],
        where: Mapping[UUID, UUID],
        waiting: Iterable[Candidate],
        free: Mapping[UUID, int],
        event_seats: Counter[tuple[UUID, UUID]],
        school_cap: int | None,
    ) -> None:
        self.occurrences = list(free)
        number = {occurrence_id: index for index, occurrence_id in enumerate(self.occurrences)}
        self.free = [free[occurrence_id] for occurrence_id in self.occurrences]
        self.groups = [*seated.values(), *waiting]
        self.seats = [group.request.seats for group in self.groups]
        self.accepts = [tuple(number[o] for o in group.acceptable) for group in self.groups]
        self.tallies: list[Tally] = []
        schools: dict[Tally, int] = {}
        for group in self.groups:
            if group.school not in schools:
                schools[group.school] = len(self.tallies)
                self.tallies.append(group.school)
        self.school = [schools[group.school] for group in self.groups]
        self.held = [tally.seats for tally in self.tallies]
        self.pupils = [max(tally.pupils, 1) for tally in self.tallies]
        self.where = [_NOWHERE] * len(self.groups)
        self.at: list[dict[int, None]] = [{} for _ in self.occurrences]
        for index, group in enumerate(self.groups[: len(seated)]):
            occurrence = number[where[group.request.booking_id]]
            self.where[index] = occurrence
            self.at[occurrence][index] = None
        events: dict[UUID, set[int]] = {}
        for group, accepts in zip(self.groups, self.accepts, strict=True):
            events.setdefault(group.request.event_id, set()).update(accepts)
        self.siblings: list[tuple[int, ...]] = [()] * len(self.occurrences)
        for of_event in events.values():
            for occurrence in of_event:
                self.siblings[occurrence] = tuple(of_event)
        self.smallest = min(self.seats, default=0)
        self.event_seats = Counter(event_seats)
        self.school_cap = school_cap
        self.spare = 0
        """Seats the lifts have added to those the draw used: what displacing may spend."""
        self.short = _NOBODY_LOSES
        """The fewest spare seats a search lacked to displace a group larger than its own."""

    def level(self, school: int) -> float:
        return self.held[school] / self.pupils[school]

    def room_near(self, occurrence: int) -> bool:
        """Whether a chain of moves from the occurrence might end in free seats: some occurrence
        of its event has room for the smallest group."""
        return any(self.free[other] >= self.smallest for other in self.siblings[occurrence])

    def within_cap(self, group: int) -> bool:
        request = self.groups[group].request
        held = self.event_seats[(request.unit_id, request.event_id)]
        return self.school_cap is None or held + request.seats <= self.school_cap

    def chain_to(self, group: int, occurrence: int) -> tuple[_Chain | None, list[_Chain]]:
        """A chain of moves alone that seats the waiting group at the occurrence, if there is
        one; else the chains that reach each occurrence where displacing might make the room.
        Breadth first, each occurrence once, so chains stay short and the search cheap."""
        free, seats, at, accepts = self.free, self.seats, self.at, self.accepts
        frontier: list[_Chain] = [((group, occurrence),)]
        reached: list[_Chain] = []
        seen = {occurrence}
        for _ in range(_LONGEST_CHAIN):
            further: list[_Chain] = []
            for chain in frontier:
                arriving, target = chain[-1]
                need = seats[arriving] - free[target]
                if need <= 0:
                    return chain, []
                reached.append(chain)
                on_chain = {occurrence for _, occurrence in chain}
                for other in at[target]:
                    size = seats[other]
                    if size < need:
                        continue
                    for elsewhere in accepts[other]:
                        if elsewhere in on_chain:
                            continue
                        moved = (*chain, (other, elsewhere))
                        if free[elsewhere] >= size:
                            return moved, []
                        if elsewhere not in seen:
                            seen.add(elsewhere)
                            further.append(moved)
            frontier = further
        return None, reached

    def displacing(
        self, chain: _Chain, floor: float, known: dict[tuple[int, int, int], _Displacing]
    ) -> tuple[_Chain, float] | None:
        """The chain ended by sending groups to the waiting list to make the room its last group
        needs, and the least seats per pupil their schools keep; None if it cannot be. `known`
        keeps what was found for an occurrence, need and lifted group's seats while the board
        stays as it is."""
        arriving, target = chain[-1]
        need = self.seats[arriving] - self.free[target]
        key = (target, need, self.seats[chain[0][0]])
        if key not in known:
            known[key] = self._displacing(target, need, chain[0][0], floor)
        found = known[key]
        if found is None:
            return None
        return (*chain, *((other, _NOWHERE) for other in found[0])), found[1]

    def _displacing(self, occurrence: int, need: int, lifted: int, floor: float) -> _Displacing:
        """The groups at the occurrence to send to the waiting list to free `need` seats, and
        the least seats per pupil their schools keep: the one group whose school keeps the most,
        else the fewest groups from the schools that have most. Never from the lifted school,
        never taking a school to `floor` or below, and never more seats than the lifts have
        gained (`spare`) plus the lifted group's own."""
        seats, held, pupils, school_of = self.seats, self.held, self.pupils, self.school
        lifted_school = self.school[lifted]
        budget = seats[lifted] + self.spare
        willing = []
        for other in self.at[occurrence]:
            school = school_of[other]
            keeps = (held[school] - seats[other]) / pupils[school]
            if school != lifted_school and keeps > floor:
                willing.append((keeps, other))
        willing.sort(reverse=True)
        for keeps, other in willing:
            if need <= seats[other] <= budget:
                return [other], keeps
            if need <= seats[other]:
                self.short = min(self.short, seats[other] - budget)
        chosen: list[int] = []
        losing: dict[int, int] = {}
        keeps, freed = _NOBODY_LOSES, 0
        for _, other in willing:
            school = school_of[other]
            losing[school] = losing.get(school, 0) + seats[other]
            left = (held[school] - losing[school]) / pupils[school]
            if left <= floor:
                losing[school] -= seats[other]
                continue
            chosen.append(other)
            keeps, freed = min(keeps, left), freed + seats[other]
            if freed >= need:
                if freed > budget:
                    self.short = min(self.short, freed - budget)
                    return None
                return chosen, keeps
        return None

    def apply(self, chain: _Chain) -> tuple[Step, ...]:
        """Makes the chain's changes, the last first, so no occurrence is ever over capacity."""
        steps = []
        for group, took in reversed(chain):
            seats, left = self.seats[group], self.where[group]
            if left != _NOWHERE:
                del self.at[left][group]
                self.free[left] += seats
            if took != _NOWHERE:
                self.free[took] -= seats
                self.at[took][group] = None
            self.where[group] = took
            if (left == _NOWHERE) != (took == _NOWHERE):
                change = seats if left == _NOWHERE else -seats
                request = self.groups[group].request
                self.held[self.school[group]] += change
                self.event_seats[(request.unit_id, request.event_id)] += change
                self.spare += change
            steps.append(
                Step(
                    self.groups[group],
                    None if left == _NOWHERE else self.occurrences[left],
                    None if took == _NOWHERE else self.occurrences[took],
                )
            )
        return tuple(steps)


def lift_worst_off(
    seated: Mapping[UUID, Candidate],
    where: Mapping[UUID, UUID],
    waiting: Iterable[Candidate],
    free: Mapping[UUID, int],
    seed: int,
    *,
    event_seats: Counter[tuple[UUID, UUID]] | None = None,
    school_cap: int | None = None,
) -> list[Lift]:
    """The lifts of the worst-off schools, in the order to make them.

    `seated` are the groups the draw seated (only they are moved or displaced), at the
    occurrences in `where`; `waiting` those it could not seat; `free` each occurrence's free
    seats; `event_seats` the seats each (school, event) holds, for `school_cap`."""
    board = _Board(seated, where, waiting, free, event_seats or Counter(), school_cap)
    waits: dict[int, list[int]] = {}
    for group in range(len(seated), len(board.groups)):
        waits.setdefault(board.school[group], []).append(group)
    if not waits:
        return []
    schools = _Schools(board, seed)
    for school, groups in waits.items():
        groups.sort(key=lambda group: _group_order(board.groups[group]))
        schools.push(school)
    lifts: list[Lift] = []
    # Schools that found no chain, with the spare seats that would have let them displace.
    stuck: dict[int, float] = {}
    # Every lift raises the lowest level, or the next; the cap only bounds one run's work.
    # Only schools up to the median are lifted: those above are not the worst off, and
    # searching for them was most of the work (bench/allocation_fairness.py).
    ceiling = median(board.level(school) for school in range(len(board.tallies)))
    for _ in range(2 * len(board.groups)):
        worst = schools.pop(ceiling)
        if worst is None:
            # Lifts that moved groups into free seats leave room to displace larger groups.
            retry = [school for school, short in stuck.items() if short <= board.spare]
            for school in retry:
                del stuck[school]
                schools.push(school)
            if not retry:
                break
            continue
        board.short = _NOBODY_LOSES
        chain = _best_chain(board, waits[worst], board.level(worst))
        if chain is None:
            stuck[worst] = board.short + board.spare
            continue
        had_none = board.held[worst] == 0
        lifts.append(Lift(board.apply(chain), school_had_none=had_none))
        waits[worst].remove(chain[0][0])
        if waits[worst]:
            schools.push(worst)
        for displaced, went in chain:
            if went != _NOWHERE:
                continue
            stuck.pop(board.school[displaced], None)
            queue = waits.setdefault(board.school[displaced], [])
            queue.append(displaced)
            queue.sort(key=lambda group: _group_order(board.groups[group]))
            schools.push(board.school[displaced])
    # Displacing a larger group than the one seated leaves seats free: they go to the groups
    # that wait and fit, the lowest school first, as the draw would have given them.
    left = [group for groups in waits.values() for group in groups]
    left.sort(key=lambda group: (board.level(board.school[group]), board.groups[group].ticket))
    for group in left:
        room = [o for o in board.accepts[group] if board.free[o] >= board.seats[group]]
        if room and board.within_cap(group):
            had_none = board.held[board.school[group]] == 0
            lifts.append(Lift(board.apply(((group, room[0]),)), school_had_none=had_none))
    return lifts


def _best_chain(board: _Board, groups: list[int], floor: float) -> _Chain | None:
    """Moves alone for the first waiting group that has them; else, for the first group that
    can be seated by displacing, the chain whose displaced groups' schools keep the most.
    Groups that ask alike are searched once."""
    searched: dict[tuple[int, int], list[_Chain]] = {}
    liftable: list[int] = []
    tried = set()
    for group in groups:
        alike = (board.accepts[group], board.seats[group])
        if alike in tried or not board.within_cap(group):
            continue
        tried.add(alike)
        liftable.append(group)
        for occurrence in board.accepts[group]:
            if board.room_near(occurrence):
                moves, ends = board.chain_to(group, occurrence)
                if moves is not None:
                    return moves
                searched[(group, occurrence)] = ends
    known: dict[tuple[int, int, int], _Displacing] = {}
    for group in liftable:
        best: tuple[_Chain, float] | None = None
        for occurrence in board.accepts[group]:
            reached = searched.get((group, occurrence))
            if reached is None:
                reached = board.chain_to(group, occurrence)[1]
            for chain in reached:
                found = board.displacing(chain, floor, known)
                if found is not None and (best is None or found[1] > best[1]):
                    best = found
        if best is not None:
            return best[0]
    return None


def _group_order(candidate: Candidate) -> tuple[float, int, int]:
    return (candidate.group.per_pupil(), candidate.ticket, candidate.request.booking_id.int)


class _Schools:
    """Schools that wait, the fewest seats per pupil first; a seeded lottery between equals."""

    def __init__(self, board: _Board, seed: int) -> None:
        self._board = board
        self._tickets: dict[int, int] = {}
        for group, school in zip(board.groups, board.school, strict=True):
            if school not in self._tickets:
                self._tickets[school] = lottery_ticket(seed, group.request.unit_id)
        self._heap: list[tuple[float, int, int]] = []
        self._queued: dict[int, float] = {}

    def push(self, school: int) -> None:
        level = self._board.level(school)
        if self._queued.get(school) != level:
            self._queued[school] = level
            heapq.heappush(self._heap, (level, self._tickets[school], school))

    def pop(self, ceiling: float) -> int | None:
        """The lowest school that waits, unless it is above `ceiling`."""
        while self._heap and self._heap[0][0] <= ceiling:
            level, _, school = heapq.heappop(self._heap)
            if self._queued.get(school) == level:
                del self._queued[school]
                return school
        return None
