"""The rules a booking request must pass, and the reason given when it does not."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from booking.domain import (
    BookingRefused,
    OutsideBookingWindow,
    Request,
    Rules,
    Slot,
    check_cancellation,
    check_request,
    explain_cancellation,
)
from kulturbro_contracts.vocabulary import Language

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
SLOT = Slot(uuid4(), NOW + timedelta(days=30), cancelled=False)
RULES = Rules(
    target_groups=["grade_4"], max_group_size=30, adults_per_group=2, needed_occurrences=1,
    booking_opens_at=NOW - timedelta(days=1), booking_closes_at=NOW + timedelta(days=10),
    cancellation_deadline_days=7, cancelled=False,
)  # fmt: skip


def request(**changes: object) -> Request:
    values: dict[str, object] = dict(
        group_target_group="grade_4", group_size=25, pupils=24, adults=2,
        occurrence_ids=[SLOT.occurrence_id],
    )  # fmt: skip
    return Request(**(values | changes))  # type: ignore[arg-type]


def refusal(req: Request, rules: Rules = RULES, active: int = 0, now: datetime = NOW) -> str:
    with pytest.raises(BookingRefused) as refused:
        check_request(req, rules, {SLOT.occurrence_id: SLOT}, active, now)
    return f"{refused.value.status} {refused.value.reason}"


def test_a_fitting_request_passes() -> None:
    check_request(request(), RULES, {SLOT.occurrence_id: SLOT}, 0, NOW)


@pytest.mark.parametrize(
    ("req", "expected"),
    [
        (
            request(group_target_group="grade_9"),
            "422 the event is not for your group's target group",
        ),
        (request(pupils=26), "422 pupils (26) exceed the group's size (25)"),
        (request(pupils=25, adults=6), "422 pupils and adults (31) exceed the event's maximum"),
        (request(adults=1), "422 adults: the event needs at least 2 adults per group"),
        (request(occurrence_ids=[uuid4()]), "404 occurrence"),
        (request(occurrence_ids=[SLOT.occurrence_id] * 2), "422 occurrence_ids: name each"),
    ],
)
def test_a_request_that_breaks_a_rule_is_refused_with_the_reason(
    req: Request, expected: str
) -> None:
    assert refusal(req).startswith(expected)


def test_the_booking_window_and_needed_occurrences_are_kept() -> None:
    assert refusal(request(), now=NOW - timedelta(days=2)).startswith("409 booking opens")
    assert refusal(request(), now=NOW + timedelta(days=11)).startswith("409 booking closed")
    assert refusal(request(), active=1).startswith("409 your group already has 1 booking")


def test_a_cancelled_event_refuses_first() -> None:
    cancelled = Rules(**{**RULES.__dict__, "cancelled": True})
    assert refusal(request(pupils=999), rules=cancelled) == "409 the event is cancelled"


def test_cancellation_closes_days_before_the_visit() -> None:
    check_cancellation(SLOT.starts_at, 7, SLOT.starts_at - timedelta(days=8))
    with pytest.raises(BookingRefused, match="until 7 days before the visit"):
        check_cancellation(SLOT.starts_at, 7, SLOT.starts_at - timedelta(days=6))


def window_refusal(now: datetime, rules: Rules = RULES) -> OutsideBookingWindow:
    with pytest.raises(OutsideBookingWindow) as refused:
        check_request(request(), rules, {SLOT.occurrence_id: SLOT}, 0, now)
    assert refused.value.status == 409
    return refused.value


def test_a_closed_window_is_told_to_the_minute_in_local_time_in_the_callers_language() -> None:
    odd = Rules(
        **{**RULES.__dict__, "booking_closes_at": datetime(2027, 3, 11, 9, 0, 59, 999, UTC)}
    )
    closed = window_refusal(NOW + timedelta(days=11), odd)
    assert closed.said(Language.SV, "Europe/Stockholm") == (
        "bokningen stängde torsdag 11 mars 2027 kl. 10:00; kontakta arrangören om ni ändå vill "
        "komma"
    )
    assert closed.said(Language.FI, "Europe/Helsinki") == (
        "varaaminen päättyi torstai 11. maaliskuuta 2027 klo 11.00; ota yhteyttä järjestäjään, "
        "jos haluatte silti tulla"
    )
    assert closed.said(Language.EN, "Europe/Stockholm") == (
        "booking closed Thursday 11 March 2027 at 10:00; contact the organizer if you still want "
        "to come"
    )


def test_a_window_not_open_yet_says_when_to_ask_again() -> None:
    early = window_refusal(NOW - timedelta(days=2))
    assert early.said(Language.SV, "Europe/Stockholm") == (
        "bokningen öppnar söndag 28 februari 2027 kl. 10:00; fråga igen då"
    )
    assert early.said(Language.EN, "Europe/Helsinki") == (
        "booking opens Sunday 28 February 2027 at 11:00; ask again then"
    )


def test_a_cancelled_booking_explains_itself_as_cancelled_in_three_languages() -> None:
    seated = explain_cancellation(held_seats=True, waiting=False)
    assert seated == {
        Language.SV: "Bokningen avbokades av läraren som gjorde den. Platserna gick tillbaka, så "
        "att andra grupper kan få dem.",
        Language.FI: "Varauksen tehnyt opettaja perui sen. Paikat vapautuivat muille ryhmille.",
        Language.EN: "The booking was cancelled by the teacher who made it. Its seats were given "
        "back for other groups.",
    }
    waiting = explain_cancellation(held_seats=False, waiting=True)
    assert waiting[Language.EN].endswith("The group is no longer on the waiting list.")
    asked = explain_cancellation(held_seats=False, waiting=False)
    assert asked[Language.FI] == "Varauksen tehnyt opettaja perui sen."
