"""Every step of a booking reaches the teacher, with a calendar file that follows the visit; the
organizer hears of new bookings; reminders, evaluation requests and the weekly digest come due."""

import asyncio
import functools
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from uuid import uuid4
from zoneinfo import ZoneInfo

import icalendar
import pytest

from kulturbro_cli.services import load_service
from kulturbro_contracts import (
    BookingRejected,
    BookingRequested,
    BookingWaitlisted,
    OccurrenceCancelled,
    OccurrenceChanged,
    SeatsAllocated,
    TeacherRegistered,
)
from kulturbro_contracts.allocation import Allocation, Rejection, Waitlisting
from kulturbro_contracts.booking import BookingRequest
from kulturbro_contracts.catalog import (
    EventChanged,
    OccurrenceCancellation,
    OccurrenceOfEvent,
    OrganizerContact,
    OrganizerRegistered,
)
from kulturbro_contracts.directory import Municipality, MunicipalityRegistered, Teacher
from kulturbro_contracts.vocabulary import BookingPolicy, InvitationPreference, Language
from kulturbro_devstack.facts import MUNICIPALITY, an_event, group_with_teacher, publish, school
from kulturbro_devstack.smtp import EmbeddedSmtp, start_smtp
from kulturbro_devstack.testing import (
    Servers,
    identity_headers,
    running,
    service_env,
    service_settings,
)
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.service import Service
from notify.schedule import digest_week

from .conftest import until_rows

pytestmark = pytest.mark.integration

EXPLAINED = {Language.SV: "Alla platser är tagna.", Language.FI: "Kaikki paikat on varattu.",
             Language.EN: "Every seat is taken."}  # fmt: skip


def teacher(teacher_id, name: str, language: Language, **kwargs):  # type: ignore[no-untyped-def]
    return TeacherRegistered(
        municipality_id=MUNICIPALITY,
        payload=Teacher(teacher_id=teacher_id, name=name, email=f"{name.lower()}@skola.example",
                        language=language, **kwargs),
    )  # fmt: skip


def malmo() -> MunicipalityRegistered:
    return MunicipalityRegistered(
        municipality_id=MUNICIPALITY,
        payload=Municipality(name="Malmö", languages=[Language.SV], time_zone="Europe/Stockholm",
                             default_booking_policy=BookingPolicy.INSTANT),
    )  # fmt: skip


async def mails_to(smtp: EmbeddedSmtp, address: str, count: int) -> list[EmailMessage]:
    for _ in range(200):
        mine = [m for m in smtp.messages() if m["To"].addresses[0].addr_spec == address]
        if len(mine) >= count:
            return mine
        await asyncio.sleep(0.1)
    raise AssertionError(f"{address} got {len(mine)} mails, expected {count}: "
                         f"{[m['Subject'] for m in mine]}")  # fmt: skip


def subjects(mails: list[EmailMessage], *beginnings: str) -> list[EmailMessage]:
    """The mail whose subject begins so, for each beginning."""
    return [next(m for m in mails if m["Subject"].startswith(b)) for b in beginnings]


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def calendar_of(mail: EmailMessage) -> icalendar.Calendar:
    part = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
    return icalendar.Calendar.from_ical(part.get_payload(decode=True))


def request(event, group_id, unit_id, teacher_id, occurrences):  # type: ignore[no-untyped-def]
    return BookingRequested(
        municipality_id=MUNICIPALITY,
        payload=BookingRequest(booking_id=uuid4(), event_id=event.event_id, group_id=group_id,
                               unit_id=unit_id, teacher_id=teacher_id, pupils=20, adults=2,
                               occurrence_ids=[o.occurrence_id for o in occurrences]),
    )  # fmt: skip


def seated(booked: BookingRequested, occurrence) -> SeatsAllocated:  # type: ignore[no-untyped-def]
    b = booked.payload
    return SeatsAllocated(
        municipality_id=MUNICIPALITY,
        payload=Allocation(booking_id=b.booking_id, event_id=b.event_id, group_id=b.group_id,
                           occurrence_id=occurrence.occurrence_id, unit_id=b.unit_id, seats=22,
                           explanation={Language.SV: "Ni fick platser."}),
    )  # fmt: skip


def known(servers: Servers, schema: str):  # type: ignore[no-untyped-def]
    return functools.partial(until_rows, servers.database_url, schema)


@asynccontextmanager
async def world(servers: Servers, topic_prefix: str, new_schema, probe: Service):  # type: ignore[no-untyped-def]
    """A publisher standing in for the other services, an SMTP server, and notify running.
    (A context manager, not a fixture: notify's background work needs the test's own loop.)"""
    settings = service_settings(probe, service_env(servers, topic_prefix, new_schema("publisher")))
    probe.migrate(settings)
    publisher = Runtime("publisher", settings, handlers={})
    await publisher.start()
    notify = load_service("notify")
    with start_smtp() as smtp:
        env = service_env(
            servers, topic_prefix, new_schema("notify"), SMTP_URL=smtp.url,
            ORGANIZER_SUMMARY_SECONDS="2", SCHEDULE_TICK_SECONDS="0.5",
            PUBLIC_URL="https://kulturbro.example",
        )  # fmt: skip
        async with running(notify, service_settings(notify, env)) as api:
            yield publisher, smtp, api, known(servers, env["DB_SCHEMA"])
    await publisher.stop()


async def test_a_booking_from_request_to_cancelled_visit_with_one_calendar_entry(
    servers: Servers, topic_prefix: str, new_schema, probe: Service
) -> None:
    async with world(servers, topic_prefix, new_schema, probe) as (publisher, smtp, _, known):
        await _a_booking_from_request_to_cancelled_visit(publisher, smtp, known)


async def _a_booking_from_request_to_cancelled_visit(
    publisher: Runtime, smtp: EmbeddedSmtp, known
) -> None:  # type: ignore[no-untyped-def]
    unit = school("Norr")
    anna_group, anna, anna_facts = group_with_teacher(unit.payload.unit_id, 20)
    aino_group, aino, aino_facts = group_with_teacher(unit.payload.unit_id, 20)
    published = an_event([44, 22])
    event = published.payload.model_copy(update={"organizer_id": uuid4()})
    published = published.model_copy(update={"payload": event})
    first, second = event.occurrences
    organizer = OrganizerRegistered(
        municipality_id=MUNICIPALITY,
        payload=OrganizerContact(organizer_id=event.organizer_id, name="Stadsteatern",
                                 contact_email="biljett@teatern.example"),
    )  # fmt: skip
    await publish(publisher, [malmo(), unit, *anna_facts, *aino_facts, organizer,
                              teacher(anna, "Anna", Language.SV),
                              teacher(aino, "Aino", Language.FI)])  # fmt: skip
    await known("replica_teacher_group", 2)
    await publish(publisher, [published])
    await mails_to(smtp, "aino@skola.example", 1)  # the invitation

    annas = request(event, anna_group, unit.payload.unit_id, anna, [first])
    ainos = request(event, aino_group, unit.payload.unit_id, aino, [first, second])
    waitlisted = BookingWaitlisted(
        municipality_id=MUNICIPALITY,
        payload=Waitlisting(booking_id=ainos.payload.booking_id, event_id=event.event_id,
                            position=1, explanation=EXPLAINED),
    )  # fmt: skip
    await publish(publisher, [annas, ainos, seated(annas, first), waitlisted])
    # Sent at once, over several connections: told apart by their subjects, not their order.
    received, confirmed = subjects(
        await mails_to(smtp, "anna@skola.example", 3), "Vi har tagit emot", "Bokningen är bekräftad"
    )
    assert "Pippi på scen" in text_of(received)
    entry = calendar_of(confirmed).walk("VEVENT")[0]
    assert entry["UID"] == f"{annas.payload.booking_id}@kulturbro"
    assert entry.decoded("DTSTART") == first.starts_at.replace(microsecond=0)
    assert entry.decoded("DTEND") == first.ends_at.replace(microsecond=0)
    assert "Stadsteatern" in str(entry["LOCATION"])
    assert int(entry["SEQUENCE"]) == 1
    [aino_waiting] = subjects(
        await mails_to(smtp, "aino@skola.example", 3), "Olette jonotuslistalla"
    )
    assert "Kaikki paikat on varattu." in text_of(aino_waiting), "the explanation, in Finnish"

    moved = first.model_copy(update={"starts_at": first.starts_at + timedelta(hours=2),
                                     "ends_at": first.ends_at + timedelta(hours=2)})  # fmt: skip
    await publish(publisher, [OccurrenceChanged(
        municipality_id=MUNICIPALITY,
        payload=OccurrenceOfEvent(event_id=event.event_id, occurrence=moved))])  # fmt: skip
    changed = (await mails_to(smtp, "anna@skola.example", 4))[3]
    update = calendar_of(changed).walk("VEVENT")[0]
    assert update["UID"] == entry["UID"] and int(update["SEQUENCE"]) == 2
    assert update.decoded("DTSTART") == moved.starts_at.replace(microsecond=0)
    # Local time at the edge: the mail says the Swedish wall-clock time of the new start.
    local = moved.starts_at.astimezone(ZoneInfo("Europe/Stockholm"))
    assert f"{local:%H:%M}" in text_of(changed)

    # A new text is not worth a mail; a new venue is, with the calendar entry following it.
    reworded = event.model_copy(update={"occurrences": [moved, second],
                                        "description": {Language.SV: "Ny text."}})  # fmt: skip
    relocated = reworded.model_copy(
        update={"venue": event.venue.model_copy(update={"name": "Konsthallen"})}
    )
    changes = [EventChanged(municipality_id=MUNICIPALITY, payload=p) for p in (reworded, relocated)]
    await publish(publisher, changes)
    venue_moved = (await mails_to(smtp, "anna@skola.example", 5))[4]
    assert venue_moved["Subject"].startswith("Ändrat")
    assert f"Tidigare plats: {event.venue.name}" in text_of(venue_moved)
    relocation = calendar_of(venue_moved).walk("VEVENT")[0]
    assert "Konsthallen" in str(relocation["LOCATION"]) and int(relocation["SEQUENCE"]) == 3
    assert relocation.decoded("DTSTART") == moved.starts_at.replace(microsecond=0)

    await publish(publisher, [
        OccurrenceCancelled(municipality_id=MUNICIPALITY, payload=OccurrenceCancellation(
            event_id=event.event_id, occurrence_id=first.occurrence_id, reason="Sjuk ensemble")),
        BookingRejected(municipality_id=MUNICIPALITY, payload=Rejection(
            booking_id=annas.payload.booking_id, event_id=event.event_id,
            reason="occurrence_cancelled", explanation=EXPLAINED)),
        seated(ainos, second),
    ])  # fmt: skip
    cancelled = (await mails_to(smtp, "anna@skola.example", 6))[5]
    calendar = calendar_of(cancelled)
    assert str(calendar["METHOD"]) == "CANCEL"
    gone = calendar.walk("VEVENT")[0]
    assert gone["UID"] == entry["UID"] and int(gone["SEQUENCE"]) == 4
    assert "Sjuk ensemble" in text_of(cancelled)
    promoted = (await mails_to(smtp, "aino@skola.example", 4))[3]
    assert calendar_of(promoted).walk("VEVENT")[0].decoded("DTSTART") == second.starts_at.replace(
        microsecond=0
    )
    summary = await mails_to(smtp, "biljett@teatern.example", 1)
    assert all(name in text_of(summary[0]) for name in ("Klass", "Skola Norr"))

    await asyncio.sleep(1.5)
    anna_mails = [
        m for m in smtp.messages() if m["To"].addresses[0].addr_spec == "anna@skola.example"
    ]
    assert len(anna_mails) == 6, (
        "neither the new text nor the rejection for the cancelled occurrence is a mail"
    )


async def test_reminders_evaluation_requests_and_the_weekly_digest_come_due(
    servers: Servers, topic_prefix: str, new_schema, probe: Service
) -> None:
    async with world(servers, topic_prefix, new_schema, probe) as (publisher, smtp, api, known):
        await _reminders_evaluations_and_digest(publisher, smtp, api, known)


async def _reminders_evaluations_and_digest(
    publisher: Runtime, smtp: EmbeddedSmtp, api, known
) -> None:  # type: ignore[no-untyped-def]
    unit = school("Söder")
    group_id, bo, facts = group_with_teacher(unit.payload.unit_id, 20)
    _, dina, dina_facts = group_with_teacher(unit.payload.unit_id, 20)
    now = datetime.now(UTC)
    published = an_event([30, 30])
    soon, past = published.payload.occurrences
    soon = soon.model_copy(update={"starts_at": now + timedelta(days=2),
                                   "ends_at": now + timedelta(days=2, hours=1)})  # fmt: skip
    past = past.model_copy(update={"starts_at": now - timedelta(days=1, hours=1),
                                   "ends_at": now - timedelta(days=1)})  # fmt: skip
    event = published.payload.model_copy(update={"occurrences": [soon, past]})
    # Published in the week the digest due now sums up, in Malmö's time.
    _, week_starts, _ = digest_week(now, "Europe/Stockholm")
    published = published.model_copy(
        update={"payload": event, "occurred_at": week_starts + timedelta(days=3)}
    )
    digest_reader = teacher(dina, "Dina", Language.EN,
                            invitations=InvitationPreference.WEEKLY_DIGEST)  # fmt: skip
    # Published the same week, but its booking has closed since: no digest names it.
    closed = an_event([30], closes_in=timedelta(minutes=-1))
    closed = closed.model_copy(update={
        "payload": closed.payload.model_copy(update={"title": {Language.SV: "Stängd visning"}}),
        "occurred_at": week_starts + timedelta(days=2)})  # fmt: skip
    await publish(publisher, [malmo(), unit, *facts, *dina_facts,
                              teacher(bo, "Bo", Language.SV), digest_reader, closed])  # fmt: skip
    await known("replica_teacher_group", 2)
    await known("event_details", 1)
    visit = request(event, group_id, unit.payload.unit_id, bo, [soon])
    visited = request(event, group_id, unit.payload.unit_id, bo, [past])
    # Bookings and seats overtaking the event's publication (another topic) wait for it.
    await publish(publisher, [visit, visited, seated(visit, soon), seated(visited, past)])
    await asyncio.sleep(1.0)
    await publish(publisher, [published])

    mails = await mails_to(smtp, "bo@skola.example", 7)
    admin = identity_headers("administrator", MUNICIPALITY)
    log = (await api.get("/deliveries?limit=100", headers=admin)).json()
    by_kind = {d["kind"]: d for d in log if d["email"] == "bo@skola.example"}
    reminder = by_kind["reminder"]
    assert reminder["booking_id"] == str(visit.payload.booking_id), "before the coming visit"
    assert by_kind["evaluation_request"]["booking_id"] == str(visited.payload.booking_id)
    texts = {m["Subject"]: text_of(m) for m in mails}
    evaluation = texts[by_kind["evaluation_request"]["subject"]]
    assert f"https://kulturbro.example/evaluations/{visited.payload.booking_id}" in evaluation
    assert len(mails) == 7, "one reminder and one evaluation request, not one per tick"

    # The visit moves: the teacher hears of it, and is reminded again, of the new time.
    later = soon.model_copy(update={"starts_at": soon.starts_at + timedelta(hours=12),
                                    "ends_at": soon.ends_at + timedelta(hours=12)})  # fmt: skip
    await publish(publisher, [OccurrenceChanged(
        municipality_id=MUNICIPALITY,
        payload=OccurrenceOfEvent(event_id=event.event_id, occurrence=later))])  # fmt: skip
    mails = await mails_to(smtp, "bo@skola.example", 9)
    reminders = [text_of(m) for m in mails if m["Subject"].startswith("Påminnelse")]
    local = later.starts_at.astimezone(ZoneInfo("Europe/Stockholm"))
    assert len(reminders) == 2 and any(f"{local:%H:%M}" in text for text in reminders)
    digest = await mails_to(smtp, "dina@skola.example", 1)
    assert "Pippi på scen" in text_of(digest[0])
    assert "Stängd visning" not in text_of(digest[0])
    await asyncio.sleep(2.0)
    assert (
        len([m for m in smtp.messages() if m["To"].addresses[0].addr_spec == "dina@skola.example"])
        == 1
    ), "a digest reader gets no separate invitation, and the digest once"
