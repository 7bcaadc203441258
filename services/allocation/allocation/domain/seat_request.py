"""A teacher's request for seats for one whole group at one of several occurrences of an event."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class SeatRequest:
    booking_id: UUID
    event_id: UUID
    group_id: UUID
    unit_id: UUID
    district: str | None
    pupils: int
    adults: int
    occurrence_ids: tuple[UUID, ...]
    """Acceptable occurrences, the most wanted first."""
    requested_at: datetime

    @property
    def seats(self) -> int:
        return self.pupils + self.adults
