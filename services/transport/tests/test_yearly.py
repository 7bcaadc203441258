"""Which days are planned again when a group's one bus trip of a school year is freed."""

from datetime import date
from uuid import uuid4

from transport.domain import GroupBooking, GroupYear, Reason, days_to_plan_again

GROUP, OTHER = uuid4(), uuid4()
TODAY = date(2027, 3, 1)
FREED = {GroupYear(GROUP, 2026)}  # the school year from 1 July 2026


def test_the_days_of_the_groups_bookings_refused_for_the_trip_are_planned_again() -> None:
    bookings = [
        GroupBooking(GROUP, date(2027, 4, 20), Reason.ONE_TRIP_A_YEAR),
        GroupBooking(GROUP, date(2027, 3, 10), Reason.ONE_TRIP_A_YEAR),
        GroupBooking(GROUP, date(2027, 3, 10), Reason.ONE_TRIP_A_YEAR),
    ]
    assert days_to_plan_again(FREED, bookings, TODAY) == [date(2027, 3, 10), date(2027, 4, 20)]


def test_a_booking_with_a_bus_or_refused_for_another_reason_is_left_as_it_is() -> None:
    bookings = [
        GroupBooking(GROUP, date(2027, 3, 10), None),
        GroupBooking(GROUP, date(2027, 3, 11), Reason.NO_BUS_FREE),
        GroupBooking(GROUP, date(2027, 3, 12), Reason.TOO_NEAR),
    ]
    assert days_to_plan_again(FREED, bookings, TODAY) == []


def test_another_groups_or_another_school_years_refusals_wait() -> None:
    bookings = [
        GroupBooking(OTHER, date(2027, 3, 10), Reason.ONE_TRIP_A_YEAR),
        GroupBooking(GROUP, date(2027, 8, 20), Reason.ONE_TRIP_A_YEAR),  # the next school year
    ]
    assert days_to_plan_again(FREED, bookings, TODAY) == []


def test_a_day_gone_or_planned_again_already_is_not_planned_again() -> None:
    bookings = [
        GroupBooking(GROUP, date(2027, 2, 28), Reason.ONE_TRIP_A_YEAR),
        GroupBooking(GROUP, TODAY, Reason.ONE_TRIP_A_YEAR),
        GroupBooking(GROUP, date(2027, 3, 10), Reason.ONE_TRIP_A_YEAR),
    ]
    assert days_to_plan_again(FREED, bookings, TODAY, {date(2027, 3, 10)}) == [TODAY]
