"""Small occurrences, requests and histories for the allocation domain's tests."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from allocation.domain import Occurrence, Received, SeatRequest, TermHistory

WINDOW_OPENS = datetime(2027, 2, 1, 8, tzinfo=UTC)


def occurrence(
    event_id: UUID, capacity: int = 60, *, day: int = 30, **changes: object
) -> Occurrence:
    fields: dict[str, object] = {
        "id": uuid4(),
        "event_id": event_id,
        "capacity": capacity,
        "starts_at": WINDOW_OPENS + timedelta(days=day),
    }
    return Occurrence(**(fields | changes))  # type: ignore[arg-type]


def request(
    *occurrences: Occurrence,
    school: UUID,
    group: UUID | None = None,
    pupils: int = 23,
    adults: int = 2,
    district: str | None = "Centrum",
    minute: int = 0,
    booking: UUID | None = None,
) -> SeatRequest:
    return SeatRequest(
        booking_id=booking or uuid4(),
        event_id=occurrences[0].event_id,
        group_id=group or uuid4(),
        unit_id=school,
        district=district,
        pupils=pupils,
        adults=adults,
        occurrence_ids=tuple(o.id for o in occurrences),
        requested_at=WINDOW_OPENS + timedelta(minutes=minute),
    )


def history(
    schools: dict[UUID, tuple[int, int]], groups: dict[UUID, tuple[int, int]] | None = None
) -> TermHistory:
    """(seats, pupils) per school and per group."""
    return TermHistory(
        schools={unit: Received(*counts) for unit, counts in schools.items()},
        groups={group: Received(*counts) for group, counts in (groups or {}).items()},
    )
