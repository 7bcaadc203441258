"""The rules of events and occurrences, and what each change tells others, without I/O."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from catalog.domain import (
    Event,
    EventDetails,
    EventStatus,
    InvalidEvent,
    NotAllowed,
    OccurrencePlan,
    OutreachSettings,
    ReleaseDates,
    UnknownOccurrence,
    effective_release_dates,
)
from kulturbro_contracts import (
    EventCancelled,
    EventPublished,
    OccurrenceCancelled,
    OccurrenceChanged,
    OccurrenceScheduled,
    parse_event,
    serialize_event,
)
from kulturbro_contracts.catalog import EventChanged
from kulturbro_contracts.vocabulary import BookingPolicy, Language, TargetGroup

NOW = datetime(2027, 1, 10, 12, tzinfo=UTC)


def details(**changes: Any) -> EventDetails:
    return EventDetails.model_validate(
        {
            "title": {"sv": "Pippi på scen", "fi": "Peppi lavalla"},
            "description": {"sv": "En föreställning om styrka och vänskap."},
            "category": "theatre",
            "target_groups": ["grade_1", "grade_2"],
            "duration_minutes": 50,
            "venue": {"name": "Stadsteatern", "district": "Centrum", "step_free": True},
            "max_group_size": 30,
            "adults_per_group": 2,
            "booking_policy": "instant",
        }
        | changes
    )


def plan(days: int = 30, capacity: int = 120, **changes: Any) -> OccurrencePlan:
    starts = NOW + timedelta(days=days)
    return OccurrencePlan.model_validate(
        {
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=50),
            "capacity": capacity,
            "language": "sv",
        }
        | changes
    )


def a_draft(*plans: OccurrencePlan, **changes: Any) -> Event:
    chosen = plans or (plan(30), plan(31))
    return Event.draft("malmo", uuid4(), details(**changes), chosen, NOW)


def published(*plans: OccurrencePlan, **changes: Any) -> Event:
    event = a_draft(*plans, **changes)
    event.publish(NOW)
    event.facts.clear()
    return event


def problems(error: pytest.ExceptionInfo[InvalidEvent]) -> dict[str, str]:
    return {p.field: p.message for p in error.value.problems}


def test_a_draft_tells_no_one() -> None:
    draft = a_draft()
    assert draft.status is EventStatus.DRAFT
    assert draft.facts == []


def test_publishing_tells_the_target_groups_and_every_occurrence() -> None:
    event = a_draft()
    event.publish(NOW)
    [fact] = event.facts
    assert isinstance(fact, EventPublished)
    assert fact.municipality_id == "malmo"
    assert fact.key() == str(event.id)
    assert fact.payload.target_groups == [TargetGroup.GRADE_1, TargetGroup.GRADE_2]
    assert [o.occurrence_id for o in fact.payload.occurrences] == [o.id for o in event.occurrences]
    assert fact.payload.venue.district == "Centrum"
    assert parse_event(serialize_event(fact)) == fact
    assert event.status is EventStatus.PUBLISHED


def test_only_a_draft_is_published() -> None:
    event = published()
    with pytest.raises(NotAllowed, match="only a draft can be published"):
        event.publish(NOW)
    event.cancel()
    with pytest.raises(NotAllowed, match="the event is cancelled"):
        event.publish(NOW)


def test_publishing_needs_occurrences_enough_for_a_group() -> None:
    with pytest.raises(InvalidEvent) as empty:
        Event.draft("malmo", uuid4(), details(), [], NOW).publish(NOW)
    assert problems(empty) == {"occurrences": "add at least one occurrence to publish"}
    with pytest.raises(InvalidEvent) as too_few:
        a_draft(needed_occurrences=3).publish(NOW)
    assert problems(too_few) == {
        "needed_occurrences": "each group needs 3 occurrences but the event has 2"
    }


def test_an_occurrence_that_has_passed_stops_publishing() -> None:
    draft = a_draft()
    with pytest.raises(InvalidEvent) as error:
        draft.publish(NOW + timedelta(days=30, minutes=1))
    assert list(problems(error)) == ["occurrences.0.starts_at"]
    assert draft.status is EventStatus.DRAFT


def test_bad_occurrences_are_refused_naming_each_field() -> None:
    backwards = plan(ends_at=NOW + timedelta(days=29))
    with pytest.raises(InvalidEvent) as error:
        a_draft(plan(), backwards, plan(capacity=20))
    assert problems(error) == {
        "occurrences.1.ends_at": "an occurrence must end after it starts",
        "occurrences.2.capacity": "the occurrence starting 2027-02-09 12:00 UTC has 20 seats, "
        "fewer than the maximum group size (30), so a whole group would not fit",
    }


def test_an_occurrence_in_the_past_is_refused() -> None:
    with pytest.raises(InvalidEvent) as error:
        a_draft(plan(days=-1))
    assert problems(error) == {
        "occurrences.0.starts_at": "2027-01-09 12:00 UTC has passed; give a time to come"
    }


def test_the_adults_of_a_group_leave_room_for_others() -> None:
    with pytest.raises(InvalidEvent) as error:
        a_draft(plan(), max_group_size=2, adults_per_group=2)
    assert list(problems(error)) == ["adults_per_group"]


def test_a_request_window_opens_and_then_closes() -> None:
    with pytest.raises(InvalidEvent) as missing:
        a_draft(booking_policy="fair_draw")
    assert set(problems(missing)) == {"booking_opens_at", "booking_closes_at"}
    with pytest.raises(InvalidEvent) as backwards:
        a_draft(
            booking_policy="fair_draw",
            booking_opens_at=NOW + timedelta(days=5),
            booking_closes_at=NOW + timedelta(days=4),
        )
    assert problems(backwards) == {
        "booking_closes_at": "the booking window must close after it opens"
    }


def test_a_request_window_closes_before_its_occurrences_start() -> None:
    window = {
        "booking_policy": BookingPolicy.FAIR_DRAW,
        "booking_opens_at": NOW + timedelta(days=1),
        "booking_closes_at": NOW + timedelta(days=20),
    }
    with pytest.raises(InvalidEvent) as error:
        a_draft(plan(days=10), plan(days=25), **window)
    assert list(problems(error)) == ["occurrences.0.starts_at"]
    assert "before the request window closes" in problems(error)["occurrences.0.starts_at"]
    assert a_draft(plan(days=25), **window).booking_closes_at == NOW + timedelta(days=20)


def test_instant_booking_must_open_before_an_occurrence() -> None:
    with pytest.raises(InvalidEvent) as error:
        a_draft(plan(days=10), booking_opens_at=NOW + timedelta(days=12))
    assert "before booking opens" in problems(error)["occurrences.0.starts_at"]


def test_times_with_an_offset_are_kept_in_utc() -> None:
    helsinki = timezone(timedelta(hours=2))
    local = datetime(2027, 3, 1, 10, tzinfo=helsinki)
    occurrence = plan(starts_at=local, ends_at=local + timedelta(hours=1))
    assert occurrence.starts_at == datetime(2027, 3, 1, 8, tzinfo=UTC)
    assert occurrence.starts_at.tzinfo is UTC


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        plan(starts_at=datetime(2027, 3, 1, 10))


def test_an_unknown_target_group_is_refused() -> None:
    with pytest.raises(ValueError, match=r"target_groups\.0"):
        details(target_groups=["grade_10"])


def test_a_title_needs_one_language() -> None:
    with pytest.raises(ValueError, match="at least one of sv, fi, en"):
        details(title={"sv": " "})


def test_a_new_occurrence_of_a_published_event_is_scheduled() -> None:
    event = published()
    added = event.add_occurrence(plan(days=40), NOW)
    [fact] = event.facts
    assert isinstance(fact, OccurrenceScheduled)
    assert fact.payload.occurrence.occurrence_id == added.id


def test_a_changed_occurrence_is_told_and_an_unchanged_one_is_not() -> None:
    event = published()
    first = event.occurrences[0]
    event.change_occurrence(first.id, plan(days=30), NOW)
    assert event.facts == []
    event.change_occurrence(first.id, plan(days=32, language=Language.FI), NOW)
    [fact] = event.facts
    assert isinstance(fact, OccurrenceChanged)
    assert fact.payload.occurrence.language is Language.FI
    assert first.starts_at == NOW + timedelta(days=32)


def test_a_published_occurrence_is_cancelled_not_deleted() -> None:
    event = published()
    first = event.occurrences[0]
    first.booked_seats = 60
    event.remove_occurrence(first.id, "the actor is ill")
    event.remove_occurrence(first.id)
    assert first in event.occurrences
    assert first.cancelled
    [fact] = event.facts
    assert isinstance(fact, OccurrenceCancelled)
    assert (fact.payload.occurrence_id, fact.payload.reason) == (first.id, "the actor is ill")
    with pytest.raises(NotAllowed, match="cancelled"):
        event.change_occurrence(first.id, plan(), NOW)


def test_a_drafts_occurrence_is_simply_removed() -> None:
    draft = a_draft()
    first = draft.occurrences[0]
    draft.remove_occurrence(first.id)
    assert first not in draft.occurrences
    assert draft.facts == []


def test_an_unknown_occurrence_is_named() -> None:
    missing = uuid4()
    with pytest.raises(UnknownOccurrence, match=str(missing)):
        published().remove_occurrence(missing)


def test_capacity_cannot_drop_below_the_seats_booked() -> None:
    event = published()
    first = event.occurrences[0]
    first.booked_seats = 90
    with pytest.raises(InvalidEvent) as error:
        event.change_occurrence(first.id, plan(capacity=80), NOW)
    assert problems(error) == {
        "capacity": "90 seats are booked already; the capacity cannot go below that"
    }


def test_revising_a_published_event_tells_it_whole() -> None:
    event = published()
    event.revise(details(title={"en": "Pippi on stage"}), NOW)
    [fact] = event.facts
    assert isinstance(fact, EventChanged)
    assert fact.payload.title == {Language.EN: "Pippi on stage"}
    assert len(fact.payload.occurrences) == 2


def test_revised_details_must_suit_the_occurrences_to_come() -> None:
    event = published(plan(days=30, capacity=40))
    with pytest.raises(InvalidEvent) as error:
        event.revise(details(max_group_size=45), NOW)
    assert list(problems(error)) == ["max_group_size"]
    assert (
        "has 40 seats, fewer than the maximum group size (45)" in problems(error)["max_group_size"]
    )
    assert event.max_group_size == 30


def test_a_cancelled_event_changes_no_more() -> None:
    event = published()
    event.cancel("the theatre burned")
    [fact] = event.facts
    assert isinstance(fact, EventCancelled)
    assert fact.payload.reason == "the theatre burned"
    with pytest.raises(NotAllowed, match="cannot change any more"):
        event.add_occurrence(plan(days=50), NOW)
    with pytest.raises(NotAllowed, match="cancelled already"):
        event.cancel()


def test_a_draft_is_deleted_not_cancelled() -> None:
    draft = a_draft()
    with pytest.raises(NotAllowed, match="a draft is deleted, not cancelled"):
        draft.cancel()
    draft.ensure_deletable()
    with pytest.raises(NotAllowed, match="cancelled instead"):
        published().ensure_deletable()


@given(capacity=st.integers(1, 200), max_group_size=st.integers(1, 200))
def test_an_occurrence_is_accepted_exactly_when_a_whole_group_fits(
    capacity: int, max_group_size: int
) -> None:
    try:
        a_draft(plan(capacity=capacity), max_group_size=max_group_size, adults_per_group=0)
    except InvalidEvent as error:
        assert capacity < max_group_size
        assert [p.field for p in error.problems] == ["occurrences.0.capacity"]
    else:
        assert capacity >= max_group_size


_changes = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(-5, 60), st.integers(1, 150)),
        st.tuples(st.just("change"), st.integers(0, 9), st.integers(-5, 60), st.integers(1, 150)),
        st.tuples(st.just("remove"), st.integers(0, 9)),
    ),
    max_size=25,
)


@given(changes=_changes)
def test_a_published_event_never_loses_an_occurrence_or_changes_silently(
    changes: list[tuple[Any, ...]],
) -> None:
    event = published()
    version = event.version
    ever: set[Any] = {o.id for o in event.occurrences}
    for change in changes:
        kind, *args = change
        occurrences = event.occurrences
        try:
            if kind == "add":
                event.add_occurrence(plan(days=args[0], capacity=args[1]), NOW)
            elif kind == "change":
                chosen = occurrences[args[0] % len(occurrences)]
                event.change_occurrence(chosen.id, plan(days=args[1], capacity=args[2]), NOW)
            else:
                event.remove_occurrence(occurrences[args[0] % len(occurrences)].id)
        except (InvalidEvent, NotAllowed):
            pass
        assert ever <= {o.id for o in event.occurrences}
        ever |= {o.id for o in event.occurrences}
    assert event.version - version == len(event.facts), "every change is told, once"
    cancelled = [f.payload.occurrence_id for f in event.facts if isinstance(f, OccurrenceCancelled)]
    assert sorted(cancelled, key=str) == sorted(
        (o.id for o in event.occurrences if o.cancelled), key=str
    )


def test_an_event_whose_booking_window_has_closed_is_not_published() -> None:
    draft = a_draft(booking_closes_at=NOW + timedelta(days=2))
    with pytest.raises(InvalidEvent) as error:
        draft.publish(NOW + timedelta(days=3))
    assert problems(error) == {
        "booking_closes_at": "booking closed 2027-01-12 12:00 UTC, so no teacher invited now "
        "could book; give a closing time to come, or none to take bookings until the "
        "occurrences start"
    }
    assert draft.status is EventStatus.DRAFT and draft.facts == []
    draft.publish(NOW + timedelta(days=1))
    assert draft.status is EventStatus.PUBLISHED


def test_booking_closing_at_publication_is_closed_already() -> None:
    with pytest.raises(InvalidEvent) as error:
        a_draft(booking_closes_at=NOW).publish(NOW)
    assert list(problems(error)) == ["booking_closes_at"]


def test_a_booking_window_closing_after_every_occurrence_has_started_is_not_published() -> None:
    draft = a_draft(plan(days=30), plan(days=31), booking_closes_at=NOW + timedelta(days=32))
    with pytest.raises(InvalidEvent) as error:
        draft.publish(NOW)
    assert problems(error) == {
        "booking_closes_at": "booking closes 2027-02-11 12:00 UTC, after the last occurrence "
        "starts (2027-02-10 12:00 UTC); close it by then"
    }
    # Instant booking may stay open past the first occurrence, for the ones after it.
    a_draft(
        plan(days=30), plan(days=31), booking_closes_at=NOW + timedelta(days=30, hours=1)
    ).publish(NOW)


def test_a_booking_window_closing_before_it_opens_is_not_published() -> None:
    draft = a_draft(
        booking_opens_at=NOW + timedelta(days=1), booking_closes_at=NOW + timedelta(days=2)
    )
    draft.booking_closes_at = NOW + timedelta(hours=12)  # as an older version may have stored it
    with pytest.raises(InvalidEvent) as error:
        draft.publish(NOW)
    assert problems(error) == {"booking_closes_at": "the booking window must close after it opens"}


def drawn_event() -> Event:
    return published(
        booking_policy="fair_draw",
        booking_opens_at=NOW + timedelta(days=1),
        booking_closes_at=NOW + timedelta(days=10),
    )


def test_fifteen_percent_is_held_back_unless_said_otherwise_and_published_with_the_event() -> None:
    event = a_draft(
        booking_policy="fair_draw", booking_opens_at=NOW, booking_closes_at=NOW + timedelta(days=10)
    )
    event.publish(NOW)
    told = event.facts[-1]
    assert isinstance(told, EventPublished)
    assert told.payload.held_back_share == 15
    assert told.payload.held_back_release_on is None and told.payload.quota_release_on is None


def test_the_culture_office_sets_the_share_and_the_release_days_and_others_are_told() -> None:
    event = drawn_event()
    release = (NOW + timedelta(days=20)).date()
    event.set_outreach(
        OutreachSettings(held_back_share=30, held_back_release_on=release, quota_release_on=None)
    )
    told = event.facts[-1]
    assert isinstance(told, EventChanged)
    assert told.payload.held_back_share == 30 and told.payload.held_back_release_on == release
    event.facts.clear()
    event.set_outreach(OutreachSettings(held_back_share=30, held_back_release_on=release))
    assert event.facts == []


@pytest.mark.parametrize("share", [-1, 101])
def test_a_share_outside_zero_to_a_hundred_is_refused(share: int) -> None:
    with pytest.raises(ValidationError, match="held_back_share"):
        OutreachSettings(held_back_share=share)
    with pytest.raises(ValidationError, match="held_back_share"):
        details(held_back_share=share)


@pytest.mark.parametrize("field", ["held_back_release_on", "quota_release_on"])
def test_a_release_day_not_after_the_window_closes_is_refused_naming_the_field(field: str) -> None:
    event = drawn_event()
    closing_day = (NOW + timedelta(days=10)).date()
    with pytest.raises(InvalidEvent) as error:
        event.set_outreach(OutreachSettings(held_back_share=15, **{field: closing_day}))
    assert problems(error) == {
        field: f"{closing_day.isoformat()} is not after the booking window closes "
        "(2027-01-20 12:00 UTC); give a later day, or leave it empty for the default"
    }
    assert event.held_back_share == 15 and event.facts == []


def test_the_window_cannot_move_past_a_release_day_the_office_set() -> None:
    event = drawn_event()
    event.set_outreach(
        OutreachSettings(held_back_share=15, held_back_release_on=(NOW + timedelta(days=12)).date())
    )
    later = event.details.model_copy(update={"booking_closes_at": NOW + timedelta(days=14)})
    with pytest.raises(InvalidEvent) as error:
        event.revise(later, NOW)
    assert list(problems(error)) == ["held_back_release_on"]


def test_the_release_days_that_apply_count_from_the_window_s_close() -> None:
    closes = NOW + timedelta(days=10)
    applying = effective_release_dates(closes, ReleaseDates())
    assert applying.held_back_release_on == (closes + timedelta(days=7)).date()
    assert applying.quota_release_on == (closes + timedelta(days=3)).date()


def test_an_organizer_may_set_the_release_days_with_the_event_but_not_before_the_close() -> None:
    window = {
        "booking_policy": "fair_draw",
        "booking_opens_at": NOW + timedelta(days=1),
        "booking_closes_at": NOW + timedelta(days=10),
    }
    later = (NOW + timedelta(days=15)).date()
    event = published(**window, held_back_release_on=later)
    assert event.held_back_release_on == later
    with pytest.raises(InvalidEvent) as error:
        a_draft(**window, quota_release_on=(NOW + timedelta(days=2)).date())
    assert list(problems(error)) == ["quota_release_on"]
