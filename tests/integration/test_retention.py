"""Retention jobs against real PostgreSQL: old mail bodies and audit entries go, and a departed
teacher's contact data goes everywhere once her period is over, told by TeacherErased."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from typer.testing import CliRunner

from directory import municipalities
from directory.imports import import_snapshot
from directory.municipalities import MunicipalityCreate
from directory.records import Snapshot, Source, TeacherRecord
from gateway.retention import forget_teacher_account
from kulturbro_cli.main import app
from kulturbro_cli.services import load_service
from kulturbro_contracts import parse_event
from kulturbro_contracts.directory import Teacher, TeacherErased, TeacherRemoved
from kulturbro_contracts.vocabulary import Language
from kulturbro_devstack.testing import Servers, service_env, service_settings
from kulturbro_runtime.runtime import Runtime
from notify.retention import erase_teacher

from .conftest import query

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)
MUNICIPALITY = "malmo"


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def a_mail(url: str, schema: str, teacher: UUID, status: str, created_at: datetime) -> None:
    query(
        url,
        f"insert into {schema}.delivery (municipality_id, kind, cause_id, subject_id, recipient_id,"
        " email, name, language, context, status, created_at)"
        " values (%s, 'invitation', %s, %s, %s, %s, 'Anna Lärare', 'sv', %s, %s, %s)",
        MUNICIPALITY,
        uuid4(),
        uuid4(),
        teacher,
        f"{teacher.hex[:8]}@skola.example",
        '{"group": "4B"}',
        status,
        created_at,
    )


async def test_each_service_erases_what_its_period_has_run_out_for(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    url = servers.database_url
    runtimes, schemas, settings = {}, {}, {}
    for name in ("directory", "notify", "gateway"):
        service, schemas[name] = load_service(name), new_schema(name)
        settings[name] = service_settings(
            service, service_env(servers, topic_prefix, schemas[name])
        )
        service.migrate(settings[name])
        runtimes[name] = Runtime(name, settings[name], handlers={})
    directory, notify, gateway = schemas["directory"], schemas["notify"], schemas["gateway"]
    left_long_ago, left_lately = uuid4(), uuid4()
    for teacher, left_at in ((left_long_ago, days_ago(731)), (left_lately, days_ago(100))):
        query(
            url,
            f"insert into {directory}.teacher_departure values (%s, %s, %s)",
            teacher,
            MUNICIPALITY,
            left_at,
        )
    a_mail(url, notify, left_long_ago, "sent", days_ago(800))
    a_mail(url, notify, left_lately, "sent", days_ago(10))
    a_mail(url, notify, left_lately, "pending", days_ago(91))
    for at in (days_ago(5 * 365 + 2), days_ago(4 * 365)):
        query(
            url,
            f"insert into {gateway}.audit_entry (at, method, path, status)"
            " values (%s, 'GET', '/api/booking/bookings/mine', 200)",
            at,
        )
    account = uuid4()
    query(
        url,
        f"insert into {gateway}.account (id, email, role, municipality_id, subject, language,"
        " active) values (%s, 'anna@skola.example', 'TEACHER', %s, %s, 'sv', true)",
        account,
        MUNICIPALITY,
        str(left_lately),
    )
    query(
        url,
        f"insert into {gateway}.refresh_token (token_hash, account_id, expires_at)"
        " values ('h', %s, %s)",
        account,
        NOW + timedelta(days=30),
    )
    try:
        # Each service's own jobs, as `kulturbro retention run NAME` and its background run them.
        erased = {
            name: await load_service(name).erase_expired(settings[name], NOW)
            for name in ("directory", "notify", "gateway")
        }
        assert erased == {
            "directory": {"erase_departed_teachers": 1},
            "notify": {"erase_old_mail_bodies": 1},  # the finished mail older than 90 days
            "gateway": {"erase_old_audit_entries": 1},
        }
        told = [
            parse_event(str(body).encode())
            for (body,) in query(url, f"select body from {directory}.outbox")
        ]
        assert [type(event) for event in told] == [TeacherErased]
        assert told[0].payload.teacher_id == left_long_ago  # type: ignore[attr-defined]
        async with runtimes["notify"].unit_of_work() as uow:
            await erase_teacher(told[0], uow)  # type: ignore[arg-type]
        removed = TeacherRemoved(
            municipality_id=MUNICIPALITY,
            payload=Teacher(
                teacher_id=left_lately,
                name="Anna",
                email="anna@skola.example",
                language=Language.SV,
            ),
        )
        async with runtimes["gateway"].unit_of_work() as uow:
            await forget_teacher_account(removed, uow)
    finally:
        for runtime in runtimes.values():
            await runtime.database.dispose()

    assert query(url, f"select teacher_id from {directory}.teacher_departure") == [(left_lately,)]
    mails = query(
        url,
        f"select recipient_id, status, name, email, context::text from {notify}.delivery"
        " order by created_at",
    )
    assert mails == [
        (left_long_ago, "sent", "", "", "{}"),
        (
            left_lately,
            "pending",
            "Anna Lärare",
            f"{left_lately.hex[:8]}@skola.example",
            '{"group": "4B"}',
        ),
        (
            left_lately,
            "sent",
            "Anna Lärare",
            f"{left_lately.hex[:8]}@skola.example",
            '{"group": "4B"}',
        ),
    ]
    assert query(url, f"select count(*) from {gateway}.audit_entry") == [(1,)]
    assert query(url, f"select count(*) from {gateway}.account") == [(0,)], "cannot sign in"
    assert query(url, f"select count(*) from {gateway}.refresh_token") == [(0,)]


async def test_a_teacher_the_import_no_longer_lists_goes_and_her_leaving_is_kept(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    service, schema = load_service("directory"), new_schema("directory")
    settings = service_settings(service, service_env(servers, topic_prefix, schema))
    service.migrate(settings)
    runtime = Runtime("directory", settings, handlers={})
    anna = TeacherRecord("T1", "Anna Lärare", "anna@skola.example", Language.SV)
    try:
        async with runtime.unit_of_work() as uow:
            await municipalities.register(
                uow,
                MunicipalityCreate(
                    id=MUNICIPALITY,
                    name="Malmö stad",
                    languages=["sv"],
                    time_zone="Europe/Stockholm",
                ),
            )
        await import_snapshot(
            runtime, MUNICIPALITY, Snapshot(Source.CSV, teachers={"T1": anna}), False
        )
        await import_snapshot(runtime, MUNICIPALITY, Snapshot(Source.CSV), False)
    finally:
        await runtime.database.dispose()

    assert query(servers.database_url, f"select count(*) from {schema}.teacher") == [(0,)]
    left = query(
        servers.database_url, f"select municipality_id, left_at from {schema}.teacher_departure"
    )
    assert [municipality for municipality, _ in left] == [MUNICIPALITY]
    assert NOW <= left[0][1] <= datetime.now(UTC)  # type: ignore[operator]


def test_the_command_runs_a_services_jobs_now(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    env = service_env(servers, topic_prefix, new_schema("notify"))
    service = load_service("notify")
    service.migrate(service_settings(service, env))
    runner = CliRunner()

    ran = runner.invoke(app, ["retention", "run", "notify"], env=env)
    nothing = runner.invoke(app, ["retention", "run", "booking"], env=env)

    assert ran.exit_code == 0, ran.output
    assert ran.output == "notify: erase_old_mail_bodies erased 0\n"
    assert nothing.output == "booking: keeps nothing with a retention period\n"
