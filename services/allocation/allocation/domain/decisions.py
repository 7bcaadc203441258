"""What was decided about each seat request, with what a teacher needs to understand why."""

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from allocation.domain.seat_request import SeatRequest
from kulturbro_contracts.vocabulary import BookingPolicy


class Basis(StrEnum):
    """How a decision came about."""

    ARRIVAL = "arrival"
    DRAW = "draw"
    DISTRICT_SHARE = "district_share"
    PROMOTION = "promotion"
    FREE_FOR_ALL = "free_for_all"
    OFFER = "offer"
    """Held-back seats offered to a group with no visit this school year, which accepted."""
    OUTREACH_RELEASE = "outreach_release"
    """Held-back seats not taken by the release date, given to a waiting group."""


class RejectionReason(StrEnum):
    NO_PARTICIPANTS = "no_participants"
    OCCURRENCE_NOT_OFFERED = "occurrence_not_offered"
    GROUP_TOO_LARGE = "group_too_large"
    ALREADY_REQUESTED = "already_requested"
    SCHOOL_LIMIT_REACHED = "school_limit_reached"


@dataclass(frozen=True, slots=True)
class Allocation:
    """Seats one group holds at one occurrence; a group is never split."""

    booking_id: UUID
    event_id: UUID
    occurrence_id: UUID
    group_id: UUID
    unit_id: UUID
    seats: int
    pupils: int

    @classmethod
    def of(cls, request: SeatRequest, occurrence_id: UUID) -> "Allocation":
        return cls(
            booking_id=request.booking_id,
            event_id=request.event_id,
            occurrence_id=occurrence_id,
            group_id=request.group_id,
            unit_id=request.unit_id,
            seats=request.seats,
            pupils=request.pupils,
        )


@dataclass(frozen=True, slots=True)
class Ranking:
    """A request's place in the order of a draw: within its district when seats were shared out."""

    rank: int
    of: int
    district: str | None = None
    district_share: int | None = None


class Change(StrEnum):
    """How a draw's decision changed after the draw, to lift the worst-off school."""

    MOVED = "moved"
    """Moved to another occurrence the group had accepted."""
    DISPLACED = "displaced"
    """Gave up its seats for the waiting list."""
    LIFTED = "lifted"
    """Seated in room made by moving or displacing others."""


@dataclass(frozen=True, slots=True)
class Adjustment:
    change: Change
    for_school_without_visits: bool
    """Moved or displaced: room was made for a school that had had no seats this term.
    Lifted: the group's school had had none."""
    drawn_choice: int | None = None
    """Moved or displaced: which of the group's choices the draw had given it."""
    displacing: bool = False
    """Lifted: another school's group gave up its seats for it."""
    moving: bool = False
    """Lifted: other groups were moved to make room for it."""


@dataclass(frozen=True, slots=True)
class Allocated:
    request: SeatRequest
    occurrence_id: UUID
    choice: int
    """1 when the group got the occurrence it wanted most."""
    basis: Basis
    policy: BookingPolicy
    ranking: Ranking | None = None
    adjustment: Adjustment | None = None

    @property
    def booking_id(self) -> UUID:
        return self.request.booking_id

    @property
    def seats(self) -> int:
        return self.request.seats

    @property
    def allocation(self) -> Allocation:
        return Allocation.of(self.request, self.occurrence_id)


@dataclass(frozen=True, slots=True)
class Waitlisted:
    request: SeatRequest
    position: int
    """1-based, among the requests waiting for the same event."""
    basis: Basis
    policy: BookingPolicy
    ranking: Ranking | None = None
    adjustment: Adjustment | None = None

    @property
    def booking_id(self) -> UUID:
        return self.request.booking_id

    def at(self, position: int) -> "Waitlisted":
        # Not dataclasses.replace: a draw re-places thousands, and replace is ten times slower.
        return Waitlisted(
            self.request, position, self.basis, self.policy, self.ranking, self.adjustment
        )


@dataclass(frozen=True, slots=True)
class Rejected:
    request: SeatRequest
    reason: RejectionReason
    policy: BookingPolicy
    school_cap: int | None = None

    @property
    def booking_id(self) -> UUID:
        return self.request.booking_id


Decision = Allocated | Waitlisted | Rejected
