"""A teacher downloads what Kulturbro holds about her through the gateway, and asks for deletion;
her municipality's administrator sees the request."""

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import pytest

from kulturbro_cli.services import load_service
from kulturbro_devstack.testing import Servers, service_env, service_settings, serving
from kulturbro_runtime import Role

from .conftest import query
from .test_gateway import Platform, platform

pytestmark = pytest.mark.integration


@pytest.fixture
async def holders(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> AsyncIterator[tuple[Platform, str]]:
    async with AsyncExitStack() as stack:
        routes, schemas = {}, {}
        for name in ("directory", "booking", "notify"):
            service, schemas[name] = load_service(name), new_schema(name)
            env = service_env(servers, topic_prefix, schemas[name])
            routes[name] = await stack.enter_async_context(
                serving(service, service_settings(service, env))
            )
        gateway = platform(servers, topic_prefix, new_schema, routes)
        yield await stack.enter_async_context(gateway), schemas["notify"]


async def test_a_teacher_downloads_her_data_and_asks_for_deletion(
    servers: Servers, holders: tuple[Platform, str]
) -> None:
    p, notify = holders
    teacher_id = uuid.uuid4()
    teacher = await p.bearer(Role.TEACHER, "malmo", subject=str(teacher_id))
    for days, group in ((100, "3A"), (10, "4B")):
        query(
            servers.database_url,
            f"insert into {notify}.delivery (municipality_id, kind, cause_id, subject_id,"
            " recipient_id, email, name, language, context, status, created_at)"
            " values ('malmo', 'invitation', %s, %s, %s, 'anna@skola.example', 'Anna', 'sv',"
            " %s, 'sent', %s)",
            uuid.uuid4(),
            uuid.uuid4(),
            teacher_id,
            f'{{"group": "{group}"}}',
            datetime.now(UTC) - timedelta(days=days),
        )

    mine = await p.gateway.get("/me/data", headers=teacher)
    asked = await p.gateway.post(
        "/me/deletion-request", json={"reason": "I have left the school"}, headers=teacher
    )
    again = await p.gateway.post("/me/deletion-request", json={}, headers=teacher)
    too_long = await p.gateway.post(
        "/me/deletion-request", json={"reason": "x" * 2001}, headers=teacher
    )
    own = await p.gateway.get(
        "/deletion-requests", headers=await p.bearer(Role.ADMINISTRATOR, "malmo")
    )
    other = await p.gateway.get(
        "/deletion-requests", headers=await p.bearer(Role.ADMINISTRATOR, "espoo")
    )

    assert mine.status_code == 200, mine.text
    data = mine.json()
    assert data["account"]["role"] == "teacher" and data["account"]["municipality_id"] == "malmo"
    assert [s["how"] for s in data["sign_ins"]] == ["session"], "her password sign-in"
    assert set(data["services"]) == {"directory", "booking", "notify"}
    assert data["services"]["directory"] == {"teacher": None, "groups": []}
    assert data["services"]["booking"] == {"bookings": [], "evaluations": []}
    mails = data["services"]["notify"]["mails"]
    assert [mail["context"] for mail in mails] == [None, {"group": "4B"}], (
        "no body past its 90 days, even before the job has run"
    )
    assert asked.status_code == 201, asked.text
    assert again.status_code == 201 and again.json()["id"] == asked.json()["id"]
    assert too_long.status_code == 422
    assert [r["reason"] for r in own.json()] == ["I have left the school"]
    assert own.json()[0]["subject"] == str(teacher_id)
    assert own.json()[0]["handled_at"] is None
    assert other.json() == []


async def test_the_culture_office_marks_a_deletion_request_handled_once(
    holders: tuple[Platform, str],
) -> None:
    p, _ = holders
    teacher = await p.bearer(Role.TEACHER, "malmo", subject=str(uuid.uuid4()))
    asked = (await p.gateway.post("/me/deletion-request", json={}, headers=teacher)).json()
    handled = f"/deletion-requests/{asked['id']}/handled"
    office = await p.bearer(Role.ADMINISTRATOR, "malmo")

    elsewhere = await p.gateway.post(
        handled, json={}, headers=await p.bearer(Role.ADMINISTRATOR, "espoo")
    )
    by_her = await p.gateway.post(handled, json={}, headers=teacher)
    too_long = await p.gateway.post(handled, json={"note": "x" * 2001}, headers=office)
    unknown = await p.gateway.post(
        f"/deletion-requests/{uuid.uuid4()}/handled", json={}, headers=office
    )
    marked = await p.gateway.post(
        handled, json={"note": "Removed from the school's import"}, headers=office
    )
    again = await p.gateway.post(handled, json={"note": "twice"}, headers=office)
    listed = await p.gateway.get("/deletion-requests", headers=office)

    assert elsewhere.status_code == 404, "another municipality's request is not seen"
    assert by_her.status_code == 403
    assert too_long.status_code == 422
    assert "note" in too_long.json()["detail"]
    assert unknown.status_code == 404
    assert marked.status_code == 200, marked.text
    assert marked.json()["handled_by"].startswith("administrator")
    assert marked.json()["handled_note"] == "Removed from the school's import"
    assert again.status_code == 409
    assert "already marked handled by" in again.json()["detail"]
    [mine] = [r for r in listed.json() if r["id"] == asked["id"]]
    assert mine["handled_at"] is not None
    assert mine["handled_note"] == "Removed from the school's import"
