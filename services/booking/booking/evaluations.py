"""Evaluations after a visit: who may give one, when, and what a valid one says. Pure: the booking,
the visit's end and the time are passed in."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from booking.db import Status
from booking.domain import BookingRefused
from kulturbro_contracts import limits
from kulturbro_contracts.booking import Question

# One evaluation per booking, corrected for this long after it was first given.
CORRECTABLE_FOR = timedelta(days=14)
MAX_COMMENT = 2000


class WrongAnswer(BookingRefused):
    """An answer that does not fit the visit, with the field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(422, f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True, slots=True)
class Visit:
    """A booking as an evaluation sees it."""

    status: Status
    ends_at: datetime | None
    """When the occurrence the group had seats at ends; None without seats."""
    occurrence_cancelled: bool
    wants_bus: bool
    starts_at: datetime | None = None
    """When that occurrence begins; None without seats."""


@dataclass(frozen=True, slots=True)
class Answers:
    came: bool
    pupils_present: int | None
    scores: dict[Question, int]
    comment: str


def questions(visit: Visit) -> list[Question]:
    """What the teacher is asked: the bus only where the group wanted one."""
    return [q for q in Question if q is not Question.BUS or visit.wants_bus]


def check_seated(visit: Visit, to: str) -> None:
    """Refuses what only a visit that took place can have: the group had seats at an occurrence
    that was not cancelled."""
    if visit.status is not Status.CONFIRMED or visit.ends_at is None:
        raise BookingRefused(409, f"the booking had no seats: there is no visit to {to}")
    if visit.occurrence_cancelled:
        raise BookingRefused(409, f"the occurrence was cancelled: there is no visit to {to}")


def check_pupils_came(pupils_present: int | None) -> None:
    if pupils_present is None or not 1 <= pupils_present <= limits.MAX_PUPILS_PER_GROUP:
        raise WrongAnswer("pupils_present", "say how many pupils came, from 1 to 1000")


def check_time(visit: Visit, first_given_at: datetime | None, now: datetime) -> None:
    """Refuses an evaluation of a visit that did not or has not yet taken place, or a
    correction after its 14 days."""
    check_seated(visit, "evaluate")
    assert visit.ends_at is not None
    if now < visit.ends_at:
        raise BookingRefused(
            409, f"the visit ends at {visit.ends_at.isoformat()}; evaluate it after that"
        )
    if first_given_at is not None and now > first_given_at + CORRECTABLE_FOR:
        raise BookingRefused(
            409,
            f"an evaluation can be corrected for 14 days; this one was given on "
            f"{first_given_at.date().isoformat()}",
        )


def check_answers(visit: Visit, answers: Answers) -> None:
    """Refuses answers that do not fit the visit, naming the field."""
    asked = questions(visit)
    if not answers.came:
        if answers.scores or answers.pupils_present:
            raise WrongAnswer(
                "scores", "the group did not come, so give no scores and no pupils present"
            )
    else:
        check_pupils_came(answers.pupils_present)
        unasked = [q.value for q in answers.scores if q not in asked]
        if unasked:
            raise WrongAnswer(f"scores.{unasked[0]}", "this visit was not asked about it")
        missing = [q.value for q in asked if q is not Question.BUS and q not in answers.scores]
        if missing:
            raise WrongAnswer(f"scores.{missing[0]}", "rate it from 1 to 5")
    if len(answers.comment) > MAX_COMMENT:
        raise WrongAnswer("comment", "write at most 2000 characters")
