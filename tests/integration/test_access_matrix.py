"""Every endpoint × every role × own municipality / another / no token: no cell leaks.

The matrix is generated from the gateway's combined API document. Each operation states who may
call it (`x-kulturbro-roles`, written by the runtime's `allow()` and `public()`); the test calls
each one as every role, from the municipality that owns the seeded data, from another one, and
with no token, and checks the answer against that statement.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from kulturbro_cli.services import SERVICE_NAMES, load_service
from kulturbro_devstack.testing import Servers, service_env, service_settings, serving
from kulturbro_runtime import Role
from kulturbro_runtime.identity import PUBLIC, ROLES_EXTENSION

from .test_gateway import Platform, platform

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
OWN, OTHER = "malmo", "espoo"
MARKER = f"Seeded-{uuid.uuid4().hex[:8]}"
# A group of the owning municipality taught by someone else: no teacher signed in here sees it.
TAUGHT_ELSEWHERE = f"Class-{uuid.uuid4().hex[:8]}"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
async def everything(servers: Servers, topic_prefix: str, new_schema) -> AsyncIterator[Platform]:
    async with AsyncExitStack() as stack:
        routes = {}
        for name in SERVICE_NAMES:
            if name == "gateway":
                continue
            service = load_service(name)
            env = service_env(servers, topic_prefix, new_schema(name))
            routes[name] = await stack.enter_async_context(
                serving(service, service_settings(service, env))
            )
        # Every role calls every endpoint here, more often than the request limit allows.
        limits = {"RATE_LIMIT_PER_MINUTE": "100000"}
        gateway = platform(servers, topic_prefix, new_schema, routes, **limits)
        yield await stack.enter_async_context(gateway)


def concrete(path: str) -> str:
    """The path with every parameter filled: ids that exist nowhere, our municipality by name."""
    parts = []
    for part in path.split("/"):
        if part.startswith("{"):
            part = OWN if "municipality" in part else str(uuid.uuid4())
        parts.append(part)
    return "/".join(parts)


async def test_no_cell_of_the_access_matrix_leaks(everything: Platform) -> None:
    p = everything
    # /readyz is a cell too: wait until the gateway's consumer has joined its group, which in
    # a loaded full run took longer than the services' start (503 "not ready" in every row).
    for _ in range(120):
        if (await p.gateway.get("/readyz")).status_code == 200:
            break
        await asyncio.sleep(0.5)
    callers: dict[tuple[Role, str], dict[str, str]] = {}
    organizers: dict[str, str] = {}
    for municipality in (OWN, OTHER):
        callers[Role.ADMINISTRATOR, municipality] = admin = await p.bearer(
            Role.ADMINISTRATOR, municipality
        )
        registered = await p.gateway.post(
            "/api/catalog/organizers",
            json={"name": f"Teater {municipality}", "kind": "theatre",
                  "contact_email": "info@example.org"},
            headers=admin,
        )  # fmt: skip
        organizers[municipality] = registered.json()["id"]
    for role in Role:
        for municipality in (OWN, OTHER):
            if role == Role.ADMINISTRATOR:
                continue
            national = role == Role.OPERATOR
            extra = {"organizer_id": organizers[municipality]} if role == Role.ORGANIZER else {}
            callers[role, municipality] = await p.bearer(
                role, None if national else municipality, **extra
            )
    seeded = await p.gateway.post(
        "/api/directory/schools", json={"name": MARKER, "kind": "school"},
        headers=callers[Role.ADMINISTRATOR, OWN],
    )  # fmt: skip
    assert seeded.status_code == 201, seeded.text
    await seed_a_group_taught_elsewhere(
        p, callers[Role.OPERATOR, OWN], callers[Role.ADMINISTRATOR, OWN]
    )
    document = (await p.gateway.get("/openapi.json")).json()

    undeclared, wrong, cells = [], [], 0
    for path, operations in sorted(document["paths"].items()):
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            allowed = operation.get(ROLES_EXTENSION)
            if allowed is None:
                undeclared.append(f"{method.upper()} {path}")
                continue
            url = concrete(path)
            body = {"json": {}} if method in ("post", "put", "patch") else {}
            anonymous = await p.gateway.request(method, url, **body)
            cells += 1
            if anonymous.status_code >= 500 or (PUBLIC not in allowed) != (
                anonymous.status_code == 401
            ):
                wrong.append(f"{method.upper()} {path} without a token: {anonymous.status_code}")
            for (role, municipality), headers in callers.items():
                answer = await p.gateway.request(method, url, headers=headers, **body)
                cells += 1
                may = PUBLIC in allowed or role.value in allowed
                cell = f"{method.upper()} {path} as {role.value} of {municipality}"
                if answer.status_code >= 500:
                    wrong.append(f"{cell}: {answer.status_code} {answer.text[:200]}")
                elif may and answer.status_code in (401, 403):
                    wrong.append(f"{cell}: refused ({answer.status_code}) though allowed")
                elif not may and answer.status_code != 403:
                    wrong.append(f"{cell}: {answer.status_code}, expected 403")
                elif municipality == OTHER and MARKER in answer.text:
                    wrong.append(f"{cell}: sees the other municipality's data")
                elif role == Role.TEACHER and TAUGHT_ELSEWHERE in answer.text:
                    wrong.append(f"{cell}: sees a group another teacher teaches")
    assert undeclared == [], "every endpoint must state who may call it: " + ", ".join(undeclared)
    assert wrong == [], f"{len(wrong)} of {cells} cells are wrong:\n" + "\n".join(wrong)
    assert cells > 100


async def seed_a_group_taught_elsewhere(
    p: Platform, operator: dict[str, str], administrator: dict[str, str]
) -> None:
    municipality = {"id": OWN, "name": OWN, "languages": ["sv"], "time_zone": "Europe/Stockholm"}
    registered = await p.gateway.post(
        "/api/directory/municipalities", json=municipality, headers=operator
    )
    assert registered.status_code == 201, registered.text
    files = {
        "units": "id,name,kind\nU1,Matrisskolan,school\n",
        "groups": "id,unit_id,name,target_group,size\n"
        f"G1,U1,{MARKER} {TAUGHT_ELSEWHERE},grade_1,20\n",
        "teachers": "id,name,email,language,invitations,groups\n"
        f"T1,Anna Annan,anna-{uuid.uuid4().hex[:8]}@example.org,sv,immediate,G1\n",
    }
    imported = await p.gateway.post("/api/directory/imports/csv", json=files, headers=administrator)
    assert imported.status_code == 200, imported.text
