"""The orders requests are served in: fewest seats per pupil this term first, or first come.

Malmö's rotating priority, measured: schools take turns by the seats per pupil they have had
this term, so a school that just got seats moves back; within a school its groups take turns
the same way; a seeded lottery decides between equals.
"""

import hashlib
import heapq
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from allocation.domain.history import seats_per_pupil
from allocation.domain.seat_request import SeatRequest

# (the school's part, the request's part); the booking id settles the last tie.
Order = tuple[float, tuple[float, int, int]]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def lottery_ticket(seed: int, booking_id: UUID) -> int:
    # Drawn from the seed and the booking alone, not from a shared random stream, so a request's
    # ticket does not depend on which other requests were made or the order they were stored in.
    digest = hashlib.sha256(f"{seed}:{booking_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class Tally:
    """Seats a school or group has received this term, and its pupils; grows as seats are given."""

    __slots__ = ("pupils", "seats")

    def __init__(self, seats: int, pupils: int) -> None:
        self.seats, self.pupils = seats, pupils

    def per_pupil(self) -> float:
        return seats_per_pupil(self.seats, self.pupils)


@dataclass(slots=True, eq=False)
class Candidate:
    """A request admitted to the competition for seats."""

    request: SeatRequest
    acceptable: tuple[UUID, ...]
    """The occurrences it accepts that are offered, the most wanted first."""
    ticket: int
    school: Tally
    group: Tally


def rotating_priority(candidate: Candidate) -> Order:
    return (
        candidate.school.per_pupil(),
        (candidate.group.per_pupil(), candidate.ticket, candidate.request.booking_id.int),
    )


def arrival(candidate: Candidate) -> Order:
    request = candidate.request
    microseconds = (request.requested_at - _EPOCH) // timedelta(microseconds=1)
    return (0.0, (0.0, microseconds, request.booking_id.int))


def in_turns(candidates: Sequence[Candidate], order: Callable[[Candidate], Order]) -> Iterator[int]:
    """Yields the index of each candidate once, least `order` first, where `order` may rise but
    never fall between yields (seats are handed out in between).

    A queue per school and one of schools: giving seats to a school reorders its own entry
    alone, not every request it made, so a national draw stays fast."""
    schools: dict[Tally, int] = {}
    queues: list[list[tuple[tuple[float, int, int], int]]] = []
    for index, candidate in enumerate(candidates):
        school = schools.setdefault(candidate.school, len(queues))
        if school == len(queues):
            queues.append([])
        queues[school].append((order(candidate)[1], index))
    turns: list[tuple[float, tuple[float, int, int], int]] = []
    for school, queue in enumerate(queues):
        heapq.heapify(queue)
        turns.append((order(candidates[queue[0][1]])[0], queue[0][0], school))
    heapq.heapify(turns)
    while turns:
        school_part, request_part, school = heapq.heappop(turns)
        queue = queues[school]
        # Keys only rise, so a stale key is too early, never too late: refresh it and requeue.
        while (now := order(candidates[queue[0][1]]))[1] != queue[0][0]:
            heapq.heapreplace(queue, (now[1], queue[0][1]))
        if now != (school_part, request_part):
            heapq.heappush(turns, (now[0], now[1], school))
            continue
        yield heapq.heappop(queue)[1]
        if queue:
            heapq.heappush(turns, (order(candidates[queue[0][1]])[0], queue[0][0], school))
