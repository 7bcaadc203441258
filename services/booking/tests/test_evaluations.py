"""Who may evaluate a visit, when, and what a valid evaluation says; when its organizer may
record who came."""

from datetime import UTC, datetime, timedelta

import pytest

from booking.attendance import check_attendance
from booking.db import Status
from booking.domain import BookingRefused
from booking.evaluations import Answers, Visit, WrongAnswer, check_answers, check_time, questions
from kulturbro_contracts.booking import Question

ENDED = datetime(2027, 3, 12, 11, 0, tzinfo=UTC)
VISIT = Visit(Status.CONFIRMED, ENDED, occurrence_cancelled=False, wants_bus=False)
HOUR = timedelta(hours=1)
NOW = ENDED + HOUR
VISIT_STARTED = Visit(
    Status.CONFIRMED, ENDED, occurrence_cancelled=False, wants_bus=False, starts_at=ENDED - HOUR
)
RATED = {q: 4 for q in Question if q is not Question.BUS}


def refusal(check: object, *args: object) -> tuple[int, str]:
    with pytest.raises(BookingRefused) as refused:
        check(*args)  # type: ignore[operator]
    return refused.value.status, refused.value.reason


def test_the_bus_is_asked_about_only_where_the_group_had_one() -> None:
    assert Question.BUS not in questions(VISIT)
    by_bus = Visit(Status.CONFIRMED, ENDED, occurrence_cancelled=False, wants_bus=True)
    assert questions(by_bus)[-1] is Question.BUS
    check_answers(by_bus, Answers(True, 22, RATED | {Question.BUS: 2}, ""))
    status, reason = refusal(check_answers, VISIT, Answers(True, 22, RATED | {Question.BUS: 2}, ""))
    assert (status, reason.split(":")[0]) == (422, "scores.bus")


def test_only_a_visit_that_happened_is_evaluated_and_only_after_it_ended() -> None:
    check_time(VISIT, None, ENDED)
    assert refusal(check_time, VISIT, None, ENDED - timedelta(minutes=1))[0] == 409
    waited = Visit(Status.WAITLISTED, None, occurrence_cancelled=False, wants_bus=False)
    assert "no visit" in refusal(check_time, waited, None, ENDED)[1]
    cancelled = Visit(Status.CONFIRMED, ENDED, occurrence_cancelled=True, wants_bus=False)
    assert "cancelled" in refusal(check_time, cancelled, None, ENDED)[1]


def test_a_correction_is_taken_for_14_days_after_it_was_first_given() -> None:
    given = ENDED + timedelta(days=1)
    check_time(VISIT, given, given + timedelta(days=14))
    status, reason = refusal(check_time, VISIT, given, given + timedelta(days=14, seconds=1))
    assert status == 409 and "2027-03-13" in reason


def test_a_group_that_came_rates_every_question_and_says_how_many_came() -> None:
    check_answers(VISIT, Answers(True, 22, RATED, "Fint!"))
    missing = dict(RATED)
    del missing[Question.ENGAGEMENT]
    assert refusal(check_answers, VISIT, Answers(True, 22, missing, ""))[1].startswith(
        "scores.engagement:"
    )
    assert refusal(check_answers, VISIT, Answers(True, None, RATED, ""))[1].startswith(
        "pupils_present:"
    )


def test_a_group_that_did_not_come_rates_nothing() -> None:
    check_answers(VISIT, Answers(False, None, {}, "Sjukdom i klassen."))
    assert refusal(check_answers, VISIT, Answers(False, None, RATED, ""))[1].startswith("scores:")
    assert refusal(check_answers, VISIT, Answers(False, 3, {}, ""))[0] == 422


def test_a_comment_has_a_bound() -> None:
    assert refusal(check_answers, VISIT, Answers(True, 22, RATED, "x" * 2001))[1].startswith(
        "comment:"
    )


def test_attendance_is_recorded_once_a_seated_visit_has_begun_with_counts_that_fit() -> None:
    begun = VISIT_STARTED
    check_attendance(begun, came=True, pupils_present=19, now=NOW)
    check_attendance(begun, came=False, pupils_present=None, now=NOW)
    with pytest.raises(WrongAnswer, match="pupils_present"):
        check_attendance(begun, came=True, pupils_present=None, now=NOW)
    with pytest.raises(WrongAnswer, match="pupils_present"):
        check_attendance(begun, came=False, pupils_present=3, now=NOW)
    with pytest.raises(BookingRefused, match="record who came after that"):
        check_attendance(begun, came=True, pupils_present=19, now=begun.starts_at - HOUR)
    waited = Visit(Status.WAITLISTED, None, occurrence_cancelled=False, wants_bus=False)
    with pytest.raises(BookingRefused, match="no seats"):
        check_attendance(waited, came=True, pupils_present=19, now=NOW)
