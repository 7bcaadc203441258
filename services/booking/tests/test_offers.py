"""Accepting a place held for a class: once, by its teacher, before the deadline."""

from datetime import UTC, datetime, timedelta

import pytest

from booking.domain import BookingRefused, HeldOffer, OfferState, check_acceptance

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
OPEN = HeldOffer(OfferState.OPEN, NOW + timedelta(days=3), NOW + timedelta(days=20))


def refusal(offer: HeldOffer = OPEN, *, teaches: bool = True, booked: bool = False) -> str:
    with pytest.raises(BookingRefused) as refused:
        check_acceptance(offer, teaches_the_group=teaches, group_has_booking=booked, now=NOW)
    return f"{refused.value.status} {refused.value.reason}"


def test_its_teacher_accepts_an_open_offer_before_the_deadline() -> None:
    check_acceptance(OPEN, teaches_the_group=True, group_has_booking=False, now=NOW)


def test_another_teacher_is_refused_first() -> None:
    assert refusal(teaches=False).startswith("403 this place is held for a group you do not")
    assert refusal(
        HeldOffer(OfferState.ACCEPTED, OPEN.deadline, OPEN.starts_at), teaches=False
    ).startswith("403")


def test_an_offer_is_accepted_once() -> None:
    accepted = HeldOffer(OfferState.ACCEPTED, OPEN.deadline, OPEN.starts_at)
    assert refusal(accepted).startswith("409 the offer has been accepted already")


def test_after_the_deadline_or_once_expired_it_is_gone() -> None:
    late = HeldOffer(OfferState.OPEN, NOW, OPEN.starts_at)
    assert refusal(late) == (
        "410 the offer could be accepted until 2027-03-01 09:00 UTC; the seats have gone to "
        "the waiting list, but you can still ask for seats for the event"
    )
    assert refusal(HeldOffer(OfferState.EXPIRED, OPEN.deadline, OPEN.starts_at)).startswith("410")


def test_a_withdrawn_offer_or_a_cancelled_performance_is_gone() -> None:
    assert refusal(HeldOffer(OfferState.WITHDRAWN, OPEN.deadline, OPEN.starts_at)).startswith(
        "410 the offer was withdrawn"
    )
    assert refusal(HeldOffer(OfferState.OPEN, OPEN.deadline, None)).startswith("410")


def test_a_group_with_a_booking_for_the_event_cancels_it_first() -> None:
    assert refusal(booked=True).startswith("409 your group already has a booking")
