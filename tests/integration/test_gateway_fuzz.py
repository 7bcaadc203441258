"""Schemathesis against the gateway's combined API document: no input makes any service fail."""

import asyncio
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from gateway.passwords import hash_password
from kulturbro_cli.services import SERVICE_NAMES, load_service
from kulturbro_devstack.testing import Servers, service_env, service_settings, serving

from .conftest import query

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
PASSWORD = "correct horse battery staple"
# `make fuzz` (KULTURBRO_FUZZ=full) is the full budget: every phase, 8 generated requests an
# operation. The suite's run keeps the examples and the coverage phase whole (each bound of every
# field and the value just past it, deterministic) with fewer generated requests and no stateful
# phase, so it takes minutes less; run the full one after changing an API.
FULL = os.environ.get("KULTURBRO_FUZZ") == "full"
PHASES = "examples,coverage,fuzzing,stateful" if FULL else "examples,coverage,fuzzing"
EXAMPLES_PER_OPERATION = 8 if FULL else 2
# Where a role's counts reach integer columns, enough examples that the fuzzer's large integers
# come up in bodies the domain accepts (fuzz_hooks.py); in 8 they did not. The coverage phase adds
# each bound and the value just past it.
MORE_EXAMPLES = {"organizer": "^/api/catalog/events"}
MANY_EXAMPLES = 100 if FULL else 25
HOOKS = Path(__file__).with_name("fuzz_hooks.py")


async def an_organizer(servers: Servers, url: str, schema: str) -> str:
    """An organizer in malmo's offering, so its events can be drafted (a fuzzed organizer who
    acts for none is refused before any number is read)."""
    admin = await bearer(servers, url, schema, "administrator", "malmo")
    async with httpx.AsyncClient(base_url=url) as client:
        registered = await client.post(
            "/api/catalog/organizers",
            json={"name": "Stadsteatern", "kind": "theatre", "contact_email": "info@example.org"},
            headers={"Authorization": f"Bearer {admin}"},
        )
    assert registered.status_code == 201, registered.text
    return str(registered.json()["id"])


@pytest.fixture
async def gateway_url(
    servers: Servers, topic_prefix: str, new_schema
) -> AsyncIterator[tuple[str, str]]:
    async with AsyncExitStack() as stack:
        routes = {}
        for name in SERVICE_NAMES:
            if name != "gateway":
                service = load_service(name)
                env = service_env(servers, topic_prefix, new_schema(name))
                routes[name] = await stack.enter_async_context(
                    serving(service, service_settings(service, env))
                )
        gateway = load_service("gateway")
        schema = new_schema("gateway")
        env = service_env(
            servers, topic_prefix, schema, GATEWAY_ROUTES=json.dumps(routes),
            RATE_LIMIT_PER_MINUTE="1000000", SIGN_IN_ATTEMPTS_PER_ACCOUNT_PER_MINUTE="1000000",
            SIGN_IN_ATTEMPTS_PER_ADDRESS_PER_MINUTE="1000000",
        )  # fmt: skip
        yield (
            await stack.enter_async_context(serving(gateway, service_settings(gateway, env))),
            schema,
        )


async def bearer(
    servers: Servers, url: str, schema: str, role: str, municipality: str,
    organizer_id: str | None = None,
) -> str:  # fmt: skip
    email = f"{role}-{uuid.uuid4().hex[:6]}@example.org"
    query(
        servers.database_url,
        f'insert into "{schema}".account (id, email, role, municipality_id, organizer_id, subject,'
        " language, password_hash, active) values (%s, %s, %s, %s, %s, %s, 'sv', %s, true)",
        uuid.uuid4(), email, role.upper(), municipality, organizer_id, str(uuid.uuid4()),
        hash_password(PASSWORD),
    )  # fmt: skip
    async with httpx.AsyncClient(base_url=url) as client:
        answer = await client.post("/auth/password", json={"email": email, "password": PASSWORD})
    return str(answer.json()["access_token"])


# Every operation of every service is fuzzed for each role: at the full budget more than the
# suite's 300 s per test on a busy 2-core machine as the API grows.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("role", ["administrator", "teacher", "organizer"])
async def test_no_generated_request_makes_the_platform_fail(
    servers: Servers, gateway_url: tuple[str, str], role: str, tmp_path: Path
) -> None:
    url, schema = gateway_url
    organizer_id = await an_organizer(servers, url, schema) if role == "organizer" else None
    token = await bearer(servers, url, schema, role, "malmo", organizer_id)
    report = tmp_path / "junit.xml"
    config = tmp_path / "schemathesis.toml"
    more = MORE_EXAMPLES.get(role)
    config.write_text(
        f'[[operations]]\ninclude-path-regex = "{more}"\n'
        f"generation.max-examples = {MANY_EXAMPLES}\n" if more else ""
    )  # fmt: skip
    fuzz = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config),
        "run", f"{url}/openapi.json", "--phases", PHASES,
        "--checks", "not_a_server_error", "--max-examples", str(EXAMPLES_PER_OPERATION),
        "--header", f"Authorization: Bearer {token}", "--generation-deterministic",
        "--request-timeout", "20", "--report", "junit", "--report-junit-path", str(report),
        "--exclude-path-regex", "^/(healthz|readyz)$",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env=os.environ | {"SCHEMATHESIS_HOOKS": str(HOOKS)},
    )  # fmt: skip
    output, _ = await fuzz.communicate()
    text = output.decode(errors="replace")
    assert fuzz.returncode == 0, text[-6000:]
    assert "operations" in text.lower()
