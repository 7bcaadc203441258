"""The calendar file of a booking, read back as a calendar program would read it."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from kulturbro_runtime.calendar import Entry, booking_calendar, booking_uid, bus_uid

STARTS = datetime(2026, 3, 3, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
ENDS = datetime(2026, 3, 3, 11, 30, tzinfo=ZoneInfo("Europe/Stockholm"))


def calendar_of(*, cancelled: bool = False, sequence: int = 0) -> Calendar:
    ics = booking_calendar(
        uid="booking-7@kulturbro.example",
        sequence=sequence,
        cancelled=cancelled,
        starts_at=STARTS,
        ends_at=ENDS,
        summary="Pippi på scen; 3B, Ekskolan",
        location="Stadsteatern, Östra Rönneholmsvägen 20",
        description="Pippi på scen – 3B\nTa med matsäck.",
        url="https://k.example/bookings/7",
        organizer_email="noreply@kulturbro.example",
        attendee_email="anna@ekskolan.example",
        attendee_name="Anna Åberg",
    )
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n") and ics.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))
    return Calendar.from_ical(ics)


def the_event(calendar: Calendar) -> Event:
    (event,) = calendar.walk("VEVENT")
    return event


def test_a_booking_is_a_request_with_the_visit_in_utc() -> None:
    calendar = calendar_of(sequence=2)
    event = the_event(calendar)

    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//Kulturbro//Kulturbro//EN"
    assert event["UID"] == "booking-7@kulturbro.example"
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART") == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 3, 3, 10, 30, tzinfo=UTC)
    assert event["DTSTART"].to_ical() == b"20260303T090000Z"
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert event["SUMMARY"] == "Pippi på scen; 3B, Ekskolan"
    assert event["LOCATION"] == "Stadsteatern, Östra Rönneholmsvägen 20"
    assert event["DESCRIPTION"] == "Pippi på scen – 3B\nTa med matsäck."
    assert event["URL"] == "https://k.example/bookings/7"


def test_kulturbro_organizes_and_the_teacher_attends_without_replying() -> None:
    event = the_event(calendar_of())

    organizer, attendee = event["ORGANIZER"], event["ATTENDEE"]
    assert organizer == "mailto:noreply@kulturbro.example"
    assert organizer.params["CN"] == "Kulturbro"
    assert attendee == "mailto:anna@ekskolan.example"
    assert attendee.params["CN"] == "Anna Åberg"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["RSVP"] == "FALSE"


def test_a_cancellation_cancels_the_same_event() -> None:
    calendar = calendar_of(cancelled=True, sequence=3)
    event = the_event(calendar)

    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == "booking-7@kulturbro.example"
    assert event["SEQUENCE"] == 3


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        booking_calendar(
            uid="u", sequence=0, cancelled=False, starts_at=datetime(2026, 3, 3, 9),
            ends_at=ENDS, summary="s", location="l", description="d", url="https://k",
            organizer_email="o@k.example", attendee_email="a@k.example", attendee_name="A",
        )  # fmt: skip


def test_a_bookings_file_has_one_uid_wherever_it_comes_from() -> None:
    assert booking_uid("7f1c") == "7f1c@kulturbro"


def test_a_bus_trip_is_a_second_entry_of_its_own_with_the_same_sequence() -> None:
    pickup, home = STARTS.replace(hour=9, minute=15), ENDS.replace(hour=12, minute=0)
    trip = Entry(bus_uid("7f1c"), pickup, home, "Kulturbuss", "Ekskolan", "Buss 2 – 3B")
    ics = booking_calendar(
        uid=booking_uid("7f1c"),
        sequence=3,
        cancelled=False,
        starts_at=STARTS,
        ends_at=ENDS,
        summary="Pippi",
        location="Stadsteatern",
        description="Pippi – 3B",
        url="https://k.example/bookings/7",
        organizer_email="noreply@kulturbro.example",
        attendee_email="anna@ekskolan.example",
        attendee_name="Anna",
        also=[trip],
    )
    visit, bus = Calendar.from_ical(ics).walk("VEVENT")

    assert (visit["UID"], bus["UID"]) == ("7f1c@kulturbro", "bus-7f1c@kulturbro")
    assert bus.decoded("DTSTART") == datetime(2026, 3, 3, 8, 15, tzinfo=UTC)
    assert bus.decoded("DTEND") == datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    assert bus["SEQUENCE"] == visit["SEQUENCE"] == 3 and bus["LOCATION"] == "Ekskolan"
