"""A group's one bus trip of a school year: which days to plan again once a trip is freed."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from transport.domain.eligibility import Reason
from transport.domain.trips import school_year


@dataclass(frozen=True, slots=True)
class GroupYear:
    """A group's school year, whose one bus trip a booking held."""

    group_id: UUID
    school_year: int


@dataclass(frozen=True, slots=True)
class GroupBooking:
    """A confirmed booking of a group that wants the bus, and why it has none, where it has none."""

    group_id: UUID
    day: date
    refused_for: Reason | None


def days_to_plan_again(
    freed: Collection[GroupYear],
    bookings: Iterable[GroupBooking],
    today: date,
    planned_already: Collection[date] = (),
) -> list[date]:
    """The days of the bookings refused a bus because their group had had its trip that school
    year, now that the trip is freed: one of them may have it. A day gone is not planned again,
    nor one planned again already for the same reason (so that a chain of freed trips ends)."""
    return sorted(
        {
            booking.day
            for booking in bookings
            if booking.refused_for is Reason.ONE_TRIP_A_YEAR
            and GroupYear(booking.group_id, school_year(booking.day)) in freed
            and booking.day >= today
            and booking.day not in planned_already
        }
    )
