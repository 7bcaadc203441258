"""Accounts serve only municipalities and organizers that exist: the gateway hears of them by the
directory's and the catalog's events, and `kulturbro accounts add` and POST /accounts refuse the
rest in words a person can act on."""

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

import httpx
import pytest

from kulturbro_cli.services import load_service
from kulturbro_devstack.testing import (
    Servers,
    identity_headers,
    running,
    service_env,
    service_settings,
)
from kulturbro_runtime import Role

from .test_gateway import PASSWORD, Platform, platform

pytestmark = pytest.mark.integration
MALMO = {"id": "malmo", "name": "Malmö stad", "languages": ["sv"], "time_zone": "Europe/Stockholm"}


def theatre(name: str) -> dict[str, str]:
    return {"name": name, "kind": "theatre", "contact_email": "info@example.org"}


async def accounts_add(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, while this one's gateway goes on consuming."""
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "kulturbro_cli", "accounts", "add", *args],
        env=os.environ | env | {"KULTURBRO_NEW_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=120,
    )


def an_email() -> str:
    return f"account-{uuid.uuid4().hex[:8]}@example.org"


@pytest.fixture
async def registered(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> AsyncIterator[tuple[Platform, dict[str, str], dict[str, str]]]:
    """The gateway (with the environment its command line uses), the directory with Malmö
    registered, and the catalog with a theatre in Malmö and one in Espoo: ids by municipality."""
    schemas: dict[str, str] = {}

    def recorded(service: str) -> str:
        schemas[service] = new_schema(service)
        return schemas[service]

    async with AsyncExitStack() as stack:
        clients = {}
        for name in ("directory", "catalog"):
            service = load_service(name)
            env = service_env(servers, topic_prefix, new_schema(name))
            clients[name] = await stack.enter_async_context(
                running(service, service_settings(service, env))
            )
        p = await stack.enter_async_context(platform(servers, topic_prefix, recorded, {}))
        town = await clients["directory"].post(
            "/municipalities", json=MALMO, headers=identity_headers("operator", None)
        )
        assert town.status_code == 201, town.text
        organizers = {}
        for municipality in ("malmo", "espoo"):
            answer = await clients["catalog"].post(
                "/organizers",
                json=theatre(f"Teater {municipality}"),
                headers=identity_headers("administrator", municipality),
            )
            assert answer.status_code == 201, answer.text
            organizers[municipality] = answer.json()["id"]
        yield p, service_env(servers, topic_prefix, schemas["gateway"]), organizers


async def test_the_command_line_adds_accounts_only_for_what_exists(
    registered: tuple[Platform, dict[str, str], dict[str, str]],
) -> None:
    _, env, organizers = registered
    nobody = str(uuid.uuid4())
    in_malmo = ["--role", "organizer", "--municipality", "malmo", "--wait", "30", "--organizer"]
    # Waiting first, for the events of Malmö and its theatre to reach the gateway.
    administrator = await accounts_add(
        env, an_email(), "--role", "administrator", "--municipality", "malmo", "--wait", "30"
    )
    organizer = await accounts_add(env, an_email(), *in_malmo, organizers["malmo"])
    refusals = [
        await accounts_add(
            env, an_email(), "--role", "administrator", "--municipality", "nosuchtown"
        ),
        await accounts_add(env, an_email(), *in_malmo[:-3], "--organizer", nobody),
        await accounts_add(env, an_email(), *in_malmo[:-3], "--organizer", organizers["espoo"]),
        await accounts_add(env, an_email(), *in_malmo[:-3], "--organizer", "nosuchtheatre"),
        await accounts_add(env, an_email(), *in_malmo[:-3]),
    ]

    assert administrator.returncode == 0, administrator.stderr
    assert organizer.returncode == 0, organizer.stderr
    assert [refused.returncode for refused in refusals] == [2] * 5
    assert [refused.stderr for refused in refusals] == [
        "kulturbro accounts: no municipality 'nosuchtown' is registered; check the id, or "
        "register it first\n",
        f"kulturbro accounts: no organizer {nobody} is registered; check the id in "
        "the catalog's list (one registered a moment ago reaches the sign-in service within "
        "seconds: try again)\n",
        f"kulturbro accounts: organizer {organizers['espoo']} is not in the offering of "
        "'malmo'; an administrator there adds it first\n",
        "kulturbro accounts: 'nosuchtheatre' is not an organizer id; the catalog's list of "
        "organizers has them\n",
        "kulturbro accounts: an organizer needs --organizer, the id of the organizer it acts for\n",
    ]


async def test_the_api_adds_accounts_only_for_what_exists(
    registered: tuple[Platform, dict[str, str], dict[str, str]],
) -> None:
    p, env, organizers = registered
    # The command line waits until the gateway has heard of Malmö and its theatre.
    theatre_in_malmo = ["--municipality", "malmo", "--organizer", organizers["malmo"]]
    ready = await accounts_add(
        env, an_email(), "--role", "organizer", *theatre_in_malmo, "--wait", "30"
    )
    assert ready.returncode == 0, ready.stderr
    operator = await p.bearer(Role.OPERATOR, None)
    administrator = await p.bearer(Role.ADMINISTRATOR, "malmo")

    async def create(headers: dict[str, str], **body: str) -> httpx.Response:
        return await p.gateway.post(
            "/accounts", json={"email": an_email(), **body}, headers=headers
        )

    nosuchtown = await create(operator, role="administrator", municipality_id="nosuchtown")
    in_malmo = await create(operator, role="administrator", municipality_id="malmo")
    theirs = await create(administrator, role="organizer", organizer_id=organizers["espoo"])
    ours = await create(administrator, role="organizer", organizer_id=organizers["malmo"])

    assert nosuchtown.status_code == 422
    assert nosuchtown.json()["detail"] == (
        "municipality_id: no municipality 'nosuchtown' is registered; check the id, or register "
        "it first"
    )
    assert in_malmo.status_code == 201, in_malmo.text
    assert theirs.status_code == 422
    assert theirs.json()["detail"].startswith(f"organizer_id: organizer {organizers['espoo']} is")
    assert ours.status_code == 201, ours.text
    organizers_of_malmo = await p.gateway.get(
        "/accounts", params={"role": "organizer"}, headers=administrator
    )
    assert organizers_of_malmo.status_code == 200, organizers_of_malmo.text
    listed = organizers_of_malmo.json()
    assert {a["role"] for a in listed} == {"organizer"}
    assert ours.json()["email"] in {a["email"] for a in listed}
    assert in_malmo.json()["email"] not in {a["email"] for a in listed}
