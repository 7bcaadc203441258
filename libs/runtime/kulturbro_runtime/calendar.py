"""The iCalendar file of a booking, so the visit lands in (or leaves) the teacher's calendar:
sent with notify's mails and downloaded from the web's booking page, one UID for both.

Kulturbro is the organizer and the teacher an attendee who has already accepted (RSVP=FALSE):
Outlook, Google and Apple then show it as an invitation that needs no reply. A later file with
the same UID and a higher SEQUENCE replaces it; METHOD:CANCEL removes it.
"""

from datetime import UTC, datetime

from icalendar import STATUS, Calendar, Event, vCalAddress

PRODID = "-//Kulturbro//Kulturbro//EN"
CALENDAR_DOMAIN = "kulturbro"


def booking_uid(booking_id: object) -> str:
    """The same visit's UID wherever its file comes from, so a later one replaces it."""
    return f"{booking_id}@{CALENDAR_DOMAIN}"


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
) -> bytes:
    event = Event.new(
        uid=uid,
        sequence=sequence,
        stamp=datetime.now(UTC),
        start=_utc(starts_at),
        end=_utc(ends_at),
        summary=summary,
        location=location,
        description=description,
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
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
