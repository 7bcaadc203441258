"""The rules a booking request must pass, and the reason given when it does not."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from booking.domain import BookingRefused, Request, Rules, Slot, check_cancellation, check_request

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
