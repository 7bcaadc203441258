"""A class's trip to a performance and back, and the day it happens on."""

import datetime as dt
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from kulturbro_contracts.school_year import school_year_of
from transport.domain.places import Place


@dataclass(frozen=True, slots=True)
class ClassTrip:
    """A confirmed booking that wants the bus: one class, never split between buses."""

    booking_id: UUID
    occurrence_id: UUID
    school: Place | None
    venue: Place | None
    starts_at: datetime
    ends_at: datetime
    pupils: int
    adults: int
    wheelchair_places: int
    booked_at: datetime
    # What the teacher was told, which a frozen day keeps within the tolerance.
    announced_pickup: datetime | None = None
    announced_return: datetime | None = None
    group_id: UUID | None = None
    # Another booking of the group has had the bus this school year.
    group_had_its_trip: bool = False

    @property
    def travellers(self) -> int:
        return self.pupils + self.adults


def school_year(day: dt.date) -> int:
    """The school year a day falls in, named by the year it starts (the one every service uses)."""
    return school_year_of(day)


@dataclass(frozen=True, slots=True)
class Day:
    """A school day in the municipality's time zone; the planner counts seconds from its
    midnight."""

    date: dt.date
    zone: ZoneInfo

    @property
    def midnight(self) -> datetime:
        return datetime.combine(self.date, time(0), tzinfo=self.zone)

    def seconds(self, at: datetime) -> int:
        return round((at - self.midnight).total_seconds())

    def clock(self, at: time) -> int:
        return at.hour * 3600 + at.minute * 60 + at.second

    def at(self, seconds: int) -> datetime:
        return self.midnight + timedelta(seconds=seconds)

    def local_date(self, at: datetime) -> dt.date:
        return at.astimezone(self.zone).date()
