"""Who came to a booked visit, as its organizer records it. Pure: the visit and the time are
passed in."""

from datetime import datetime

from booking.db import Status
from booking.domain import BookingRefused
from booking.evaluations import Visit, WrongAnswer
from kulturbro_contracts import limits


def check_attendance(visit: Visit, came: bool, pupils_present: int | None, now: datetime) -> None:
    """Refuses attendance of a group that had no seats, for a visit that has not begun, or
    counts that do not fit."""
    if visit.status is not Status.CONFIRMED or visit.starts_at is None:
        raise BookingRefused(409, "the booking had no seats: there is no visit to record")
    if visit.occurrence_cancelled:
        raise BookingRefused(409, "the occurrence was cancelled: there is no visit to record")
    if now < visit.starts_at:
        raise BookingRefused(
            409, f"the visit begins at {visit.starts_at.isoformat()}; record who came after that"
        )
    if not came and pupils_present:
        raise WrongAnswer("pupils_present", "the group did not come, so give no pupils present")
    if came and not (
        pupils_present is not None and 1 <= pupils_present <= limits.MAX_PUPILS_PER_GROUP
    ):
        raise WrongAnswer("pupils_present", "say how many pupils came, from 1 to 1000")
