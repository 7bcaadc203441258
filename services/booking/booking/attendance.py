"""Who came to a booked visit, as its organizer records it. Pure: the visit and the time are
passed in."""

from datetime import datetime

from booking.domain import BookingRefused
from booking.evaluations import Visit, WrongAnswer, check_pupils_came, check_seated


def check_attendance(visit: Visit, came: bool, pupils_present: int | None, now: datetime) -> None:
    """Refuses attendance of a group that had no seats, for a visit that has not begun, or
    counts that do not fit."""
    check_seated(visit, "record")
    assert visit.starts_at is not None  # a seated visit has its occurrence's times
    if now < visit.starts_at:
        raise BookingRefused(
            409, f"the visit begins at {visit.starts_at.isoformat()}; record who came after that"
        )
    if not came and pupils_present:
        raise WrongAnswer("pupils_present", "the group did not come, so give no pupils present")
    if came:
        check_pupils_came(pupils_present)
