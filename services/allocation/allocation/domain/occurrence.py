"""An occurrence as allocation sees it: one performance with a fixed number of seats."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Occurrence:
    id: UUID
    event_id: UUID
    capacity: int
    starts_at: datetime
    cancelled: bool = False
