"""Invitations reach exactly the targeted teachers of the municipality, once, in their language."""

import asyncio
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import pytest

from kulturbro_cli.services import load_service
from kulturbro_contracts import TeacherRegistered, TeacherUpdated, serialize_event
from kulturbro_contracts.directory import Teacher
from kulturbro_contracts.vocabulary import InvitationPreference, Language, TargetGroup
from kulturbro_devstack.facts import an_event, group_with_teacher, publish, school
from kulturbro_devstack.smtp import start_smtp
from kulturbro_devstack.testing import (
    TEST_SECRET,
    Servers,
    identity_headers,
    running,
    service_env,
    service_settings,
)
from kulturbro_runtime.mail_links import UNSUBSCRIBE, read_mail_link
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.service import Service

from .conftest import query, until_rows
from .test_consumer import produce

pytestmark = pytest.mark.integration


def registered(teacher_id, name: str, language: Language, municipality: str = "malmo",  # type: ignore[no-untyped-def]
               kind=TeacherRegistered, **preferences):  # fmt: skip
    return kind(
        municipality_id=municipality,
        payload=Teacher(teacher_id=teacher_id, name=name, email=f"{name.lower()}@skola.example",
                        language=language, **preferences),
    )  # fmt: skip


async def test_an_event_for_grade_4_reaches_exactly_the_grade_4_teachers_once(
    servers: Servers, topic_prefix: str, new_schema, probe: Service
) -> None:
    notify = load_service("notify")
    publisher_settings = service_settings(
        probe, service_env(servers, topic_prefix, new_schema("publisher"))
    )
    probe.migrate(publisher_settings)
    publisher = Runtime("publisher", publisher_settings, handlers={})
    await publisher.start()
    unit = school("Norr")
    _, anna, anna_facts = group_with_teacher(unit.payload.unit_id, 20)
    _, bertil, bertil_facts = group_with_teacher(unit.payload.unit_id, 20, TargetGroup.GRADE_5)
    _, cecilia, cecilia_facts = group_with_teacher(unit.payload.unit_id, 22)
    _, erik, erik_facts = group_with_teacher(unit.payload.unit_id, 24)
    _, _, second_facts = group_with_teacher(unit.payload.unit_id, 23)
    second_facts[1] = second_facts[1].model_copy(
        update={"payload": second_facts[1].payload.model_copy(update={"teacher_id": cecilia})}
    )
    elsewhere = school("Centrum").model_copy(update={"municipality_id": "espoo"})
    _, david, david_facts = group_with_teacher(elsewhere.payload.unit_id, 20)
    david_facts = [f.model_copy(update={"municipality_id": "espoo"}) for f in david_facts]
    event = an_event([60])
    facts = [
        unit, elsewhere, *anna_facts, *bertil_facts, *cecilia_facts, *second_facts, *david_facts,
        *erik_facts,
        registered(anna, "Anna", Language.SV),
        # Erik has stopped invitations since (the one-click link in an earlier one).
        registered(erik, "Erik", Language.SV),
        registered(erik, "Erik", Language.SV, kind=TeacherUpdated,
                   invitations=InvitationPreference.NONE),
        registered(bertil, "Bertil", Language.SV),
        registered(cecilia, "Cecilia", Language.FI),
        registered(david, "David", Language.SV, "espoo"),
    ]  # fmt: skip
    with start_smtp() as smtp:
        env = service_env(servers, topic_prefix, new_schema("notify"), SMTP_URL=smtp.url)
        async with running(notify, service_settings(notify, env)) as api:
            await publish(publisher, facts)
            await asyncio.sleep(2.0)  # the directory's facts first, as in life
            await publish(publisher, [event])
            for _ in range(150):
                if len(smtp.messages()) >= 2:
                    break
                await asyncio.sleep(0.2)
            # The same fact again, and a new message telling the same publication again.
            again = event.model_copy(update={"event_id": uuid4()})
            await publish(publisher, [again])
            await produce(
                servers, event.topic(topic_prefix), [(event.key().encode(), serialize_event(event))]
            )
            await asyncio.sleep(4.0)
            log = await api.get(
                f"/deliveries?subject_id={event.payload.event_id}",
                headers=identity_headers("administrator", "malmo"),
            )
    await publisher.stop()
    mails = smtp.messages()
    assert sorted(m["To"].addresses[0].addr_spec for m in mails) == [
        "anna@skola.example",
        "cecilia@skola.example",
    ]
    finnish = next(m for m in mails if "cecilia@skola.example" in m["To"])
    assert finnish["Subject"].startswith("Uutta kulttuuritarjonnassa ryhmillesi")
    body = finnish.get_body(preferencelist=("plain",)).get_content()
    assert "Klass" in body and body.count("Klass") == 2, "one mail naming both her groups"
    # One click in her mail program stops them: a link the directory will honour, for her alone.
    assert finnish["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = finnish["List-Unsubscribe"].strip("<>")
    assert link in body
    token = parse_qs(urlsplit(link).query)["token"][0]
    assert read_mail_link(token, UNSUBSCRIBE, TEST_SECRET).subject_id == str(cecilia)
    assert [(d["email"], d["status"]) for d in sorted(log.json(), key=lambda d: d["email"])] == [
        ("anna@skola.example", "sent"),
        ("cecilia@skola.example", "sent"),
    ]


async def test_an_event_whose_booking_window_has_closed_invites_no_one(
    servers: Servers, topic_prefix: str, new_schema, probe: Service
) -> None:
    notify = load_service("notify")
    publisher_settings = service_settings(
        probe, service_env(servers, topic_prefix, new_schema("publisher"))
    )
    probe.migrate(publisher_settings)
    publisher = Runtime("publisher", publisher_settings, handlers={})
    await publisher.start()
    unit = school("Norr")
    _, anna, anna_facts = group_with_teacher(unit.payload.unit_id, 20)
    closed, open_ = an_event([60], closes_in=timedelta(minutes=-1)), an_event([60])
    schema = new_schema("notify")
    with start_smtp() as smtp:
        env = service_env(servers, topic_prefix, schema, SMTP_URL=smtp.url)
        async with running(notify, service_settings(notify, env)):
            await publish(publisher, [unit, *anna_facts, registered(anna, "Anna", Language.SV)])
            await until_rows(servers.database_url, schema, "replica_teacher", 1)
            await publish(publisher, [closed, open_])
            for _ in range(150):
                handled = query(
                    servers.database_url,
                    f'select count(*) from "{schema}".inbox where event_id in (%s, %s)',
                    closed.event_id, open_.event_id,
                )  # fmt: skip
                if handled == [(2,)] and smtp.messages():
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(2.0)  # time enough to send a second mail, if one were queued
    await publisher.stop()
    assert handled == [(2,)], "notify heard both publications"
    invited_to = query(servers.database_url, f'select subject_id from "{schema}".delivery')
    assert invited_to == [(open_.payload.event_id,)], "only to the event that can be booked"
    assert len(smtp.messages()) == 1
