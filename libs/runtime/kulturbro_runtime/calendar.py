"""The iCalendar file of a booking, so the visit lands in (or leaves) the teacher's calendar:
sent with notify's mails and downloaded from the web's booking page, one UID for both.

Kulturbro is the organizer and the teacher an attendee who has already accepted (RSVP=FALSE):
Outlook, Google and Apple then show it as an invitation that needs no reply. A later file with
the same UID and a higher SEQUENCE replaces it; METHOD:CANCEL removes it. A class going by the
culture bus gets the trip as a second entry of its own (`bus_uid`), from pick-up to back at school.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import STATUS, Calendar, Event, vCalAddress

PRODID = "-//Kulturbro//Kulturbro//EN"
CALENDAR_DOMAIN = "kulturbro"


def booking_uid(booking_id: object) -> str:
    """The same visit's UID wherever its file comes from, so a later one replaces it."""
    return f"{booking_id}@{CALENDAR_DOMAIN}"


def bus_uid(booking_id: object) -> str:
    """The booking's bus trip: an entry beside the visit's, changed or cancelled on its own."""
    return f"bus-{booking_id}@{CALENDAR_DOMAIN}"


@dataclass(frozen=True)
class Entry:
    """A further entry of the same file, sharing its sequence, status and people."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    description: str


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment} has no time zone; a calendar file needs an exact moment")
    return moment.astimezone(UTC)


def booking_calendar(
    *,
    uid: str,
    sequence: int,
    cancelled: bool,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    location: str,
    description: str,
    url: str,
    organizer_email: str,
    attendee_email: str,
    attendee_name: str,
    also: Sequence[Entry] = (),
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    first = Entry(uid, starts_at, ends_at, summary, location, description)
    for entry in (first, *also):
        calendar.add_component(
            _event(
                entry,
                sequence=sequence,
                cancelled=cancelled,
                url=url,
                organizer_email=organizer_email,
                attendee_email=attendee_email,
                attendee_name=attendee_name,
            )
        )
    ical: bytes = calendar.to_ical()
    return ical


def _event(
    entry: Entry,
    *,
    sequence: int,
    cancelled: bool,
    url: str,
    organizer_email: str,
    attendee_email: str,
    attendee_name: str,
) -> Event:
    return Event.new(
        uid=entry.uid,
        sequence=sequence,
        stamp=datetime.now(UTC),
        start=_utc(entry.starts_at),
        end=_utc(entry.ends_at),
        summary=entry.summary,
        location=entry.location,
        description=entry.description,
        url=url,
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        organizer=vCalAddress.new(organizer_email, cn="Kulturbro"),
        attendees=[
            vCalAddress.new(
                attendee_email,
                cn=attendee_name,
                role="REQ-PARTICIPANT",
                partstat="ACCEPTED",
                rsvp=False,
            )
        ],
    )
