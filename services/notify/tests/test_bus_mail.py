"""The culture bus mails as they go out: the pick-up in the municipality's time, and the bus as
a calendar entry of its own beside the visit, updated, or cancelled alone."""

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest
from icalendar import Calendar

from kulturbro_contracts.transport import NoBusReason
from kulturbro_contracts.vocabulary import Language
from notify.rendering import Renderer
from notify.settings import NotifySettings

from .builders import STOCKHOLM, a_trip, an_event, an_occurrence

BOOKING = UUID(int=7)
VISIT = an_occurrence().model_dump(mode="json")
RENDERER = Renderer(
    NotifySettings(
        kulturbro_env="test", database_url="postgresql://x@h/d", kafka_bootstrap_servers="h:1"
    )
)


def sent(kind: str, context: dict[str, Any], language: Language = Language.SV) -> EmailMessage:
    row = SimpleNamespace(
        id=1,
        kind=kind,
        language=language.value,
        name="Anna",
        email="anna@skola.example",
        municipality_id="malmo",
        recipient_id=UUID(int=3),
        booking_id=BOOKING,
        subject_id=UUID(int=100),
        context={"group": "3B", "booking_url": "https://k.example/b/7", "occurrence": VISIT}
        | context,
    )
    _, raw = RENDERER.render(row, an_event(), STOCKHOLM)
    mail = message_from_bytes(raw, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    return mail


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def calendar_of(mail: EmailMessage) -> Calendar:
    part = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
    return Calendar.from_ical(part.get_payload(decode=True))


def entries(mail: EmailMessage) -> dict[str, Any]:
    return {str(e["UID"]): e for e in calendar_of(mail).walk("VEVENT")}


def calendar(sequence: int, cancelled: bool = False, **trip: Any) -> dict[str, Any]:
    return {
        "uid": f"{BOOKING}@kulturbro",
        "sequence": sequence,
        "cancelled": cancelled,
        "bus": a_trip(**trip),
    }


PICKUP = {
    Language.SV: "tisdag 3 mars 2026 kl. 09:15",
    Language.FI: "klo 9.15",
    Language.EN: "Tuesday 3 March 2026 at 09:15",
}
BACK = {Language.SV: "11:40", Language.FI: "11.40", Language.EN: "11:40"}


@pytest.mark.parametrize("language", list(Language))
def test_a_scheduled_bus_is_a_second_calendar_entry_from_pickup_to_back_at_school(
    language: Language,
) -> None:
    mail = sent("bus_scheduled", {"trip": a_trip(), "calendar": calendar(2)}, language)

    text = text_of(mail)
    assert PICKUP[language] in text and PICKUP[language] in str(mail["Subject"])
    assert "Ekskolan, Skolgatan 4" in text and "Buss 2" in text and BACK[language] in text
    assert calendar_of(mail)["METHOD"] == "REQUEST"
    visit, bus = entries(mail)[f"{BOOKING}@kulturbro"], entries(mail)[f"bus-{BOOKING}@kulturbro"]
    assert visit.decoded("DTSTART") == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert bus.decoded("DTSTART") == datetime(2026, 3, 3, 8, 15, tzinfo=UTC)
    assert bus.decoded("DTEND") == datetime(2026, 3, 3, 10, 40, tzinfo=UTC)
    assert bus["LOCATION"] == "Ekskolan, Skolgatan 4"
    assert int(bus["SEQUENCE"]) == 2 and bus["STATUS"] == "CONFIRMED"


def test_a_changed_trip_names_the_old_and_new_pickup_and_updates_the_bus_entry() -> None:
    previous = {
        "pickup_at": "2026-03-03T08:15:00+00:00",
        "return_at": "2026-03-03T10:10:00+00:00",
        "bus": "Buss 2",
    }
    moved = a_trip(pickup_at="2026-03-03T08:00:00Z", bus="Buss 3")
    context = {"trip": moved, "previous": previous, "calendar": calendar(3, **moved)}
    mail = sent("bus_trip_changed", context, Language.EN)

    text = text_of(mail)
    assert "New pick-up: Tuesday 3 March 2026 at 09:00" in text
    assert "Previous pick-up: Tuesday 3 March 2026 at 09:15" in text
    assert "Previous bus: Buss 2" in text
    assert "Previously left the venue" not in text, "the return did not move"
    bus = entries(mail)[f"bus-{BOOKING}@kulturbro"]
    assert bus.decoded("DTSTART") == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert int(bus["SEQUENCE"]) == 3


def test_a_cancelled_trip_cancels_the_bus_entry_alone() -> None:
    context = {"trip": a_trip(), "reason": "booking_cancelled", "calendar": calendar(4, True)}
    mail = sent("bus_trip_cancelled", context, Language.FI)

    assert "Varaus on peruttu." in text_of(mail)
    assert calendar_of(mail)["METHOD"] == "CANCEL"
    [bus] = entries(mail).values()
    assert bus["UID"] == f"bus-{BOOKING}@kulturbro" and bus["STATUS"] == "CANCELLED"
    assert int(bus["SEQUENCE"]) == 4


def test_no_bus_says_why_in_a_teachers_words_and_offers_the_times_with_a_bus() -> None:
    other = an_occurrence(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), n=2).model_dump(mode="json")
    context = {"reason": "no_bus_free", "alternatives": [other]}
    mail = sent("bus_unavailable", context, Language.SV)

    text = text_of(mail)
    assert "Kommunens alla kulturbussar är redan upptagna" in text
    assert "tisdag 10 mars 2026 kl. 10:00–11:00" in text
    assert not any(p.get_content_type() == "text/calendar" for p in mail.walk())
    alone = text_of(sent("bus_unavailable", context | {"alternatives": []}))
    assert "upptagna" in alone and "10 mars" not in alone


ONE_TRIP_A_YEAR = {
    Language.SV: "en resa med kulturbussen per läsår",
    Language.FI: "yhden kulttuuribussimatkan lukuvuodessa",
    Language.EN: "one culture bus trip a school year",
}


@pytest.mark.parametrize("language", list(Language))
def test_a_group_that_has_had_its_trip_this_school_year_is_told_so(language: Language) -> None:
    context = {"reason": NoBusReason.ONE_TRIP_A_YEAR.value, "alternatives": []}
    assert ONE_TRIP_A_YEAR[language] in text_of(sent("bus_unavailable", context, language))


@pytest.mark.parametrize("reason", list(NoBusReason))
def test_every_reason_for_no_bus_is_worded_in_every_language(reason: NoBusReason) -> None:
    for language in Language:  # a reason without words fails to render (strict templates)
        text = text_of(
            sent("bus_unavailable", {"reason": reason.value, "alternatives": []}, language)
        )
        assert reason.value not in text
