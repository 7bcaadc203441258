"""Schemathesis against the gateway's combined API document: no input makes any service fail."""

import asyncio
import json
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
EXAMPLES_PER_OPERATION = 8


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


async def bearer(servers: Servers, url: str, schema: str, role: str, municipality: str) -> str:
    email = f"{role}-{uuid.uuid4().hex[:6]}@example.org"
    query(
        servers.database_url,
        f'insert into "{schema}".account (id, email, role, municipality_id, subject, language,'
        " password_hash, active) values (%s, %s, %s, %s, %s, 'sv', %s, true)",
        uuid.uuid4(), email, role.upper(), municipality, str(uuid.uuid4()), hash_password(PASSWORD),
    )  # fmt: skip
    async with httpx.AsyncClient(base_url=url) as client:
        answer = await client.post("/auth/password", json={"email": email, "password": PASSWORD})
    return str(answer.json()["access_token"])


@pytest.mark.parametrize("role", ["administrator", "teacher", "organizer"])
async def test_no_generated_request_makes_the_platform_fail(
    servers: Servers, gateway_url: tuple[str, str], role: str, tmp_path: Path
) -> None:
    url, schema = gateway_url
    token = await bearer(servers, url, schema, role, "malmo")
    report = tmp_path / "junit.xml"
    fuzz = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "schemathesis.cli", "run", f"{url}/openapi.json",
        "--checks", "not_a_server_error", "--max-examples", str(EXAMPLES_PER_OPERATION),
        "--header", f"Authorization: Bearer {token}", "--generation-deterministic",
        "--request-timeout", "20", "--report", "junit", "--report-junit-path", str(report),
        "--exclude-path-regex", "^/(healthz|readyz)$",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await fuzz.communicate()
    text = output.decode(errors="replace")
    assert fuzz.returncode == 0, text[-6000:]
    assert "operations" in text.lower()
