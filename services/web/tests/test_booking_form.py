"""The booking form checks every rule the booking service checks, field by field, before
anything is sent, and keeps what the teacher wrote."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from web.booking_form import read_booking_form, refused_field
from web.platform import EventListing, Group, OccurrenceListing

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


def an_event(**rules: object) -> EventListing:
    occurrences = [
        OccurrenceListing(
            id=uuid4(),
            starts_at=NOW + timedelta(days=days),
            ends_at=NOW + timedelta(days=days, hours=1),
            language="sv",
            capacity=90,
            free_seats=90,
        )
        for days in (20, 27)
    ]
    fields = {
        "id": uuid4(),
        "title": {"sv": "Pippi"},
        "description": {"sv": "Om vänskap"},
        "category": "theatre",
        "target_groups": ["grade_2"],
        "duration_minutes": 50,
        "venue": {"name": "Stora scenen"},
        "max_group_size": 30,
        "adults_per_group": 2,
        "organizer_name": "Stadsteatern",
        "occurrences": occurrences,
    }
    return EventListing.model_validate(fields | rules)


GROUP = Group(id=uuid4(), unit_id=uuid4(), name="2B", target_group="grade_2", size=24)


def posted(event: EventListing, **fields: str) -> dict[str, str]:
    first, second = (str(o.id) for o in event.occurrences)
    return {
        "group": str(GROUP.id),
        "pupils": "24",
        "adults": "2",
        "choice_1": second,
        "choice_2": first,
    } | fields


def test_a_good_form_asks_for_the_occurrences_in_order_of_preference() -> None:
    event = an_event()
    form = read_booking_form(posted(event, wants_bus="yes"), event, [GROUP], NOW)
    assert form.problems == {}
    assert form.occurrence_ids == [event.occurrences[1].id, event.occurrences[0].id]
    assert (form.group, form.pupils, form.adults) == (GROUP, 24, 2)


def test_each_rule_is_told_beside_its_field_and_what_was_written_is_kept() -> None:
    event = an_event()
    first = str(event.occurrences[0].id)
    cases = {
        "group": posted(event, group=str(uuid4())),
        "pupils": posted(event, pupils="25"),  # more than the group has
        "adults": posted(event, adults="1"),  # fewer than the event needs
        "wheelchair_places": posted(event, wheelchair_places="-1"),
        "note": posted(event, note="x" * 2001),
        "choice_2": posted(event, choice_1=first, choice_2=first),
    }
    for field, fields in cases.items():
        form = read_booking_form(fields, event, [GROUP], NOW)
        assert list(form.problems) == [field], (field, form.problems)
        assert form.values[field] == fields[field].strip()
    too_many = read_booking_form(posted(event, adults="7"), an_event(), [GROUP], NOW)
    assert "never split" in too_many.problems["pupils"]
    nothing = read_booking_form(posted(event, choice_1="", choice_2=""), event, [GROUP], NOW)
    assert list(nothing.problems) == ["choice_1"]


def test_outside_the_booking_window_the_form_says_so_before_sending() -> None:
    not_yet = an_event(booking_opens_at=NOW + timedelta(days=1))
    closed = an_event(booking_closes_at=NOW - timedelta(minutes=1))
    for event, words in ((not_yet, "not opened"), (closed, "has closed")):
        form = read_booking_form(posted(event), event, [GROUP], NOW)
        assert words in form.problems["choice_1"]


def test_a_refusal_of_the_booking_service_lands_on_the_field_it_names() -> None:
    assert refused_field("pupils: a booking brings at least one pupil") == "pupils"
    assert refused_field("body.occurrence_ids") == "choice_1"
    assert refused_field("adults: the event needs at least 2 adults per group") == "adults"
    assert refused_field("the event is cancelled") is None
