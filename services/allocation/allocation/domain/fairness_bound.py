"""The best any rule could do for the worst-off schools: yardsticks for the draw, not plans.

Both are found by linear programming over one variable per (request, acceptable occurrence): the
share of the group seated there. The programme may split a group between occurrences, which no
allocation may, so the bounds are not always reachable.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID

import numpy as np
from scipy.optimize import linprog  # type: ignore[import-untyped]
from scipy.sparse import coo_matrix, csr_matrix, hstack, vstack  # type: ignore[import-untyped]

from allocation.domain.history import TermHistory
from allocation.domain.occurrence import Occurrence
from allocation.domain.seat_request import SeatRequest

# Bisection stops when the level is known to a thousandth of its value.
_PRECISION = 1e-3


def max_min_bound(
    occurrences: Iterable[Occurrence],
    requests: Iterable[SeatRequest],
    school_pupils: Mapping[UUID, int],
    history: TermHistory | None = None,
) -> float:
    """The largest t such that every school that asked can get at least t seats per pupil.

    Counts only the occurrences a request accepts that start after it was made and can hold the
    whole group; a school's seats so far this term count towards its t. When a school asked for
    little, what it asked for sets the bound."""
    programme = _Programme.of(occurrences, requests, school_pupils, history)
    if programme is None:
        return 0.0
    schools = programme.per_pupil.shape[0]
    constraints = vstack(
        [
            hstack([programme.seating, csr_matrix((programme.seating.shape[0], 1))]),
            hstack([-programme.per_pupil, np.ones((schools, 1))]),
        ],
        format="csr",
    )
    shares = constraints.shape[1] - 1
    objective = np.zeros(shares + 1)
    objective[-1] = -1.0
    limits = np.concatenate([programme.room, programme.so_far])
    result = _solve(objective, constraints, limits, [(0.0, 1.0)] * shares + [(0.0, None)])
    if result is None:
        raise ArithmeticError("the max-min programme found no answer")
    return float(result[-1])


def levelled_bound(
    occurrences: Iterable[Occurrence],
    requests: Iterable[SeatRequest],
    school_pupils: Mapping[UUID, int],
    history: TermHistory | None = None,
) -> float:
    """The largest t such that every school that asked can get t seats per pupil, or all it
    asked for where that is less: the level a perfectly even share-out would reach, which a
    school that asked for little does not hold down."""
    occurrences, requests = list(occurrences), list(requests)
    programme = _Programme.of(occurrences, requests, school_pupils, history)
    if programme is None:
        return 0.0
    reachable = max_min_bound(occurrences, requests, school_pupils, history)
    unreachable = float(programme.asked.max()) + _PRECISION
    while unreachable - reachable > _PRECISION * max(reachable, _PRECISION):
        level = (reachable + unreachable) / 2
        if programme.can_give(np.minimum(level, programme.asked)):
            reachable = level
        else:
            unreachable = level
    return reachable


@dataclass(frozen=True)
class _Programme:
    seating: csr_matrix
    """Rows: each request seated at most once whole, then each occurrence within its capacity."""
    room: np.ndarray
    per_pupil: csr_matrix
    """Rows: the seats per pupil each variable gives its school."""
    so_far: np.ndarray
    asked: np.ndarray
    """Per school: seats per pupil so far plus all it asked for that could be seated."""

    @classmethod
    def of(
        cls,
        occurrences: Iterable[Occurrence],
        requests: Iterable[SeatRequest],
        school_pupils: Mapping[UUID, int],
        history: TermHistory | None,
    ) -> "_Programme | None":
        offered = {o.id: o for o in occurrences if not o.cancelled}
        received = history.schools if history else {}
        arcs: list[tuple[int, int, int, int]] = []
        request_rows: dict[UUID, int] = {}
        occurrence_rows: dict[UUID, int] = {}
        school_rows: dict[UUID, int] = {}
        for request in requests:
            for occurrence_id in dict.fromkeys(request.occurrence_ids):
                occurrence = offered.get(occurrence_id)
                if (
                    occurrence is None
                    or occurrence.event_id != request.event_id
                    or occurrence.starts_at <= request.requested_at
                    or not 0 < request.seats <= occurrence.capacity
                ):
                    continue
                arcs.append(
                    (
                        request_rows.setdefault(request.booking_id, len(request_rows)),
                        occurrence_rows.setdefault(occurrence_id, len(occurrence_rows)),
                        school_rows.setdefault(request.unit_id, len(school_rows)),
                        request.seats,
                    )
                )
        if not arcs:
            return None
        arc = np.array(arcs, dtype=np.int64)
        column = np.arange(len(arcs))
        seats = arc[:, 3].astype(np.float64)
        pupils = np.array([max(school_pupils.get(u, 0), 1) for u in school_rows], dtype=float)
        so_far = np.array([received[u].seats if u in received else 0 for u in school_rows], float)
        first_occurrence_row = len(request_rows)
        seating = coo_matrix(
            (
                np.concatenate([np.ones(len(arcs)), seats]),
                (
                    np.concatenate([arc[:, 0], first_occurrence_row + arc[:, 1]]),
                    np.concatenate([column, column]),
                ),
            ),
            shape=(first_occurrence_row + len(occurrence_rows), len(arcs)),
        ).tocsr()
        per_pupil = coo_matrix(
            (seats / pupils[arc[:, 2]], (arc[:, 2], column)), shape=(len(school_rows), len(arcs))
        ).tocsr()
        once = np.unique(arc[:, [0, 2, 3]], axis=0)
        asked = np.bincount(once[:, 1], weights=once[:, 2], minlength=len(school_rows))
        return cls(
            seating=seating,
            room=np.concatenate(
                [
                    np.ones(len(request_rows)),
                    np.array([offered[o].capacity for o in occurrence_rows], dtype=float),
                ]
            ),
            per_pupil=per_pupil,
            so_far=so_far / pupils,
            asked=(so_far + asked) / pupils,
        )

    def can_give(self, floors: np.ndarray) -> bool:
        """Whether every school can get at least its floor of seats per pupil at once."""
        constraints = vstack([self.seating, -self.per_pupil], format="csr")
        limits = np.concatenate([self.room, self.so_far - floors])
        objective = np.zeros(constraints.shape[1])
        return _solve(objective, constraints, limits, (0.0, 1.0)) is not None


def _solve(
    objective: np.ndarray,
    constraints: csr_matrix,
    limits: np.ndarray,
    bounds: list[tuple[float, float | None]] | tuple[float, float],
) -> np.ndarray | None:
    result = linprog(objective, A_ub=constraints, b_ub=limits, bounds=bounds, method="highs-ipm")
    return result.x if result.status == 0 else None
