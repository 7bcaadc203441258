"""School years and terms: a visit belongs to the year and term of the day its occurrence starts,
in the municipality's own time zone."""

import re
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from kulturbro_contracts.school_year import FIRST_MONTH
from kulturbro_contracts.school_year import school_year_of as _starts_in

SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


class Term(StrEnum):
    AUTUMN = "autumn"
    SPRING = "spring"


def school_year_of(day: date) -> str:
    """'2026-27' for any day from 1 July 2026 to 30 June 2027."""
    return school_year_starting(_starts_in(day))


def school_year_starting(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def term_of(day: date) -> Term:
    return Term.AUTUMN if day.month >= FIRST_MONTH else Term.SPRING


def local_day(moment: datetime, time_zone: str) -> date:
    return moment.astimezone(ZoneInfo(time_zone)).date()


def is_school_year(text: str) -> bool:
    found = SCHOOL_YEAR.match(text)
    return bool(found) and (int(found[1]) + 1) % 100 == int(found[2])  # type: ignore[index]
