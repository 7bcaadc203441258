"""The school year every service counts in: 1 July to 30 June, as the open indicators define it,
so a visit, a bus trip or an offer in the summer belongs to the year ahead."""

from datetime import date

FIRST_MONTH = 7


def school_year_of(day: date) -> int:
    """The school year a day falls in, named by the calendar year it starts in."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def first_day_of_school_year(day: date) -> date:
    return date(school_year_of(day), FIRST_MONTH, 1)
