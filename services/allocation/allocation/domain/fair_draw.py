"""The draws: requests gathered until a window closes, then decided together, fairly."""

from collections.abc import Iterable, Mapping
from typing import NamedTuple
from uuid import UUID

from allocation.domain.decisions import Decision
from allocation.domain.history import TermHistory
from allocation.domain.occurrence import Occurrence
from allocation.domain.seat_request import SeatRequest
from allocation.domain.seating import Seating
from kulturbro_contracts.vocabulary import BookingPolicy


class Draw(NamedTuple):
    seating: Seating
    """Holds the outcome, and takes the cancellations and late requests that follow."""
    decisions: list[Decision]
    """One per request, in the order the requests were given."""


def allocate_fairly(
    occurrences: Iterable[Occurrence],
    requests: Iterable[SeatRequest],
    history: TermHistory,
    seed: int,
    *,
    school_cap: int | None = None,
    lifts_worst_off: bool = True,
) -> Draw:
    """Schools, then groups, with the fewest seats per pupil this term come first, and the order
    is recomputed as seats are handed out; a seeded lottery decides between equals. Each request
    gets the first of its acceptable occurrences with room, else waits. Then the worst-off
    schools are lifted where moving seated groups makes room (`worst_off`)."""
    seating = Seating(
        occurrences,
        BookingPolicy.FAIR_DRAW,
        history=history,
        seed=seed,
        school_cap=school_cap,
        lifts_worst_off=lifts_worst_off,
    )
    return Draw(seating, seating.draw(requests))


def allocate_by_district(
    occurrences: Iterable[Occurrence],
    requests: Iterable[SeatRequest],
    history: TermHistory,
    seed: int,
    district_pupils: Mapping[UUID, Mapping[str, int]],
    *,
    school_cap: int | None = None,
) -> Draw:
    """Each event's seats are first shared between districts in proportion to their pupils of
    the event's target groups; each district's share goes in the fair draw's order. What is left
    becomes free for all with `Seating.release_quotas`."""
    seating = Seating(
        occurrences,
        BookingPolicy.DISTRICT_QUOTAS,
        history=history,
        seed=seed,
        school_cap=school_cap,
        district_pupils=district_pupils,
    )
    return Draw(seating, seating.draw(requests))
