"""The gateway: sign-in, tokens, routing with a signed identity, limits, and staying up."""

import asyncio
import functools
import json
import random
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from gateway.db import Account
from gateway.passwords import hash_password
from gateway.protection import API_CSP
from kulturbro_cli.services import load_service
from kulturbro_contracts import parse_event
from kulturbro_devstack.smtp import start_smtp
from kulturbro_devstack.testing import (
    TEST_SECRET,
    Servers,
    read_topic,
    running,
    service_env,
    service_settings,
    serving,
)
from kulturbro_runtime import Role
from kulturbro_runtime.mail_links import UNSUBSCRIBE, MailLink, sign_mail_link

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery staple"


@functools.cache
def password_hash() -> str:
    """PASSWORD's hash, made once: hashing is slow by design, and tests add many accounts."""
    return hash_password(PASSWORD)


@dataclass
class Platform:
    gateway: httpx.AsyncClient
    runtime: object

    async def add_account(self, role: Role, municipality: str | None, **extra: str) -> str:
        email = f"{role.value}-{uuid.uuid4().hex[:8]}@example.org"
        async with self.runtime.unit_of_work() as uow:  # type: ignore[attr-defined]
            uow.session.add(
                Account(
                    email=email, role=role, municipality_id=municipality,
                    password_hash=password_hash(), **extra,
                )
            )  # fmt: skip
        return email

    async def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return await self.gateway.post(
            "/auth/password", json={"email": email, "password": password}
        )

    async def bearer(self, role: Role, municipality: str | None, **extra: str) -> dict[str, str]:
        answer = await self.sign_in(await self.add_account(role, municipality, **extra))
        assert answer.status_code == 200, answer.text
        tokens = answer.json()
        return {"Authorization": f"Bearer {tokens['access_token']}"}


@asynccontextmanager
async def platform(
    servers: Servers, prefix: str, new_schema, routes: dict[str, str], **extra: str
) -> AsyncIterator[Platform]:
    gateway = load_service("gateway")
    env = service_env(servers, prefix, new_schema("gateway"), **extra)
    env["GATEWAY_ROUTES"] = json.dumps(routes)
    settings = service_settings(gateway, env)
    # Each test comes from an address of its own, so rate limits never cross tests.
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    async with running(gateway, settings, client_address=address) as client:
        yield Platform(client, client._transport.app.state.runtime)  # type: ignore[attr-defined]


@pytest.fixture
async def directory_url(servers: Servers, topic_prefix: str, new_schema) -> AsyncIterator[str]:
    directory = load_service("directory")
    settings = service_settings(
        directory, service_env(servers, topic_prefix, new_schema("directory"))
    )
    async with serving(directory, settings) as url:
        yield url


async def test_an_administrator_reaches_the_directory_through_the_gateway_for_their_own_only(
    servers: Servers, topic_prefix: str, new_schema, directory_url: str
) -> None:
    async with platform(servers, topic_prefix, new_schema, {"directory": directory_url}) as p:
        malmo = await p.bearer(Role.ADMINISTRATOR, "malmo")
        espoo = await p.bearer(Role.ADMINISTRATOR, "espoo")
        school = {"name": "Rosengårdsskolan", "kind": "school"}
        created = await p.gateway.post("/api/directory/schools", json=school, headers=malmo)
        mine = await p.gateway.get("/api/directory/schools", headers=malmo)
        theirs = await p.gateway.get("/api/directory/schools", headers=espoo)
        anonymous = await p.gateway.get("/api/directory/schools")
        smuggled = await p.gateway.get(
            "/api/directory/schools", headers={"X-Kulturbro-Identity": "forged.identity"}
        )
        too_long = await p.gateway.post(f"/api/directory/{'x' * 2000}", json={}, headers=malmo)
        audit = await p.gateway.get("/audit", headers=malmo)
        document = (await p.gateway.get("/openapi.json")).json()
    assert created.status_code == 201, created.text
    assert [s["name"] for s in mine.json()] == ["Rosengårdsskolan"]
    assert theirs.json() == []
    assert anonymous.status_code == 401
    assert smuggled.status_code == 401, "a client cannot pass its own identity header through"
    assert too_long.status_code == 414, "an address the audit log cannot keep is not forwarded"
    assert [(e["method"], e["path"], e["status"]) for e in audit.json()] == [
        ("POST", "/api/directory/schools", 201)
    ]
    assert "/api/directory/schools" in document["paths"]
    assert "/auth/password" in document["paths"]
    assert created.headers["X-Content-Type-Options"] == "nosniff"


async def test_every_one_of_many_writes_at_once_is_in_the_audit_log_before_it_is_answered(
    servers: Servers, topic_prefix: str, new_schema, directory_url: str
) -> None:
    async with platform(servers, topic_prefix, new_schema, {"directory": directory_url}) as p:
        lund = await p.bearer(Role.ADMINISTRATOR, "lund")
        names = [f"Skola {n}" for n in range(12)]
        created = await asyncio.gather(
            *(
                p.gateway.post(
                    "/api/directory/schools", json={"name": name, "kind": "school"}, headers=lund
                )
                for name in names
            )
        )
        audit = await p.gateway.get("/audit", headers=lund)
    assert [c.status_code for c in created] == [201] * len(names)
    # Written in batches (a group commit), each entry before its own answer was sent.
    assert [(e["method"], e["path"], e["status"]) for e in audit.json()] == [
        ("POST", "/api/directory/schools", 201)
    ] * len(names)


async def test_tokens_refresh_once_sign_out_revokes_and_bad_tokens_are_refused(
    servers: Servers, topic_prefix: str, new_schema
) -> None:
    async with platform(servers, topic_prefix, new_schema, {}) as p:
        email = await p.add_account(Role.ANALYST, None)
        tokens = (await p.sign_in(email)).json()
        me = await p.gateway.get(
            "/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        refreshed = await p.gateway.post(
            "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        reused = await p.gateway.post(
            "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        newer = refreshed.json()["refresh_token"]
        signed_out = await p.gateway.post("/auth/sign-out", json={"refresh_token": newer})
        after_sign_out = await p.gateway.post("/auth/refresh", json={"refresh_token": newer})
        claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
        expired = jwt.encode(
            claims | {"exp": datetime.now(UTC) - timedelta(minutes=1)},
            TEST_SECRET,
            algorithm="HS256",
        )
        tampered = jwt.encode(claims | {"role": "operator"}, "not the secret", algorithm="HS256")
        refusals = [
            await p.gateway.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
            for token in (expired, tampered, "garbage")
        ]
        wrong_scheme = await p.gateway.get("/auth/me", headers={"Authorization": "Basic abc"})
    assert me.json()["email"] == email
    assert refreshed.status_code == 200
    assert reused.status_code == 401
    assert signed_out.status_code == 204
    assert after_sign_out.status_code == 401
    assert [r.status_code for r in refusals] == [401, 401, 401]
    assert "expired" in refusals[0].json()["detail"]
    assert wrong_scheme.status_code == 401


async def test_brute_force_on_one_account_is_stopped_and_told_when_to_try_again(
    servers: Servers, topic_prefix: str, new_schema
) -> None:
    async with platform(servers, topic_prefix, new_schema, {}) as p:
        email = await p.add_account(Role.ADMINISTRATOR, "malmo")
        attempts = [(await p.sign_in(email, f"guess number {n}")).status_code for n in range(7)]
        correct_but_throttled = await p.sign_in(email)
        links = await p.gateway.post("/auth/magic-link", json={"email": email.upper()})
        colleague = await p.sign_in(await p.add_account(Role.ADMINISTRATOR, "malmo"))
    assert attempts[:5] == [401] * 5
    assert attempts[5:] == [429, 429]
    assert correct_but_throttled.status_code == links.status_code == 429
    detail = correct_but_throttled.json()["detail"]
    assert detail.startswith("too many sign-in attempts for this account; try again in ")
    assert 1 <= int(correct_but_throttled.headers["Retry-After"]) <= 60
    assert colleague.status_code == 200, "the same address still signs in to other accounts"


async def test_thirty_teachers_behind_one_school_address_each_sign_in_within_a_minute(
    servers: Servers, topic_prefix: str, new_schema
) -> None:
    async with platform(servers, topic_prefix, new_schema, {}) as p:
        teachers = [await p.add_account(Role.TEACHER, "malmo") for _ in range(30)]
        started = time.monotonic()
        asked = [await p.gateway.post("/auth/magic-link", json={"email": t}) for t in teachers]
        mailed = await read_topic(
            servers.kafka_bootstrap_servers, f"{topic_prefix}.access.v1", expect=30
        )
        links = [parse_event(record.value).payload.link for record in mailed]  # type: ignore[attr-defined]
        tokens = [link.split("token=")[1] for link in links]
        redeemed = [
            await p.gateway.post("/auth/magic-link/redeem", json={"token": token})
            for token in tokens
        ]
        elapsed = time.monotonic() - started
    assert elapsed < 60, "within one window of the limits"
    assert [answer.status_code for answer in asked] == [202] * 30
    assert [answer.status_code for answer in redeemed] == [200] * 30


async def test_one_address_trying_many_accounts_is_stopped_too(
    servers: Servers, topic_prefix: str, new_schema
) -> None:
    async with platform(
        servers, topic_prefix, new_schema, {}, SIGN_IN_ATTEMPTS_PER_ADDRESS_PER_MINUTE="10"
    ) as p:
        answers = [await p.sign_in(f"guess-{n}@example.org", "a guess") for n in range(11)]
    assert [answer.status_code for answer in answers] == [401] * 10 + [429]
    assert "from your network address" in answers[-1].json()["detail"]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60


async def test_a_sign_in_link_is_mailed_through_notify_and_works_once(
    servers: Servers, topic_prefix: str, new_schema
) -> None:
    notify = load_service("notify")
    with start_smtp() as smtp:
        notify_env = service_env(servers, topic_prefix, new_schema("notify"), SMTP_URL=smtp.url)
        async with (
            running(notify, service_settings(notify, notify_env)),
            platform(servers, topic_prefix, new_schema, {}) as p,
        ):
            email = await p.add_account(Role.ORGANIZER, "espoo", language="fi")
            asked = await p.gateway.post("/auth/magic-link", json={"email": email})
            unknown = await p.gateway.post("/auth/magic-link", json={"email": "nobody@example.org"})
            for _ in range(150):
                if smtp.messages():
                    break
                await asyncio.sleep(0.2)
            mails = smtp.messages()
            text = mails[0].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            token = re.search(r"token=([\w-]+)", text).group(1)  # type: ignore[union-attr]
            first = await p.gateway.post("/auth/magic-link/redeem", json={"token": token})
            second = await p.gateway.post("/auth/magic-link/redeem", json={"token": token})
    assert asked.status_code == unknown.status_code == 202
    assert asked.json() == unknown.json(), "the answer does not reveal who has an account"
    assert len(mails) == 1 and mails[0]["To"] == email
    assert mails[0]["Subject"] == "Kirjautumislinkkisi Kulturbrohon"
    assert first.status_code == 200 and "access_token" in first.json()
    assert second.status_code == 401


async def test_the_gateway_stays_up_and_says_so_when_a_service_is_down_or_the_input_is_bad(
    servers: Servers, topic_prefix: str, new_schema
) -> None:
    routes = {"booking": "http://127.0.0.1:9"}  # nothing listens there
    async with platform(servers, topic_prefix, new_schema, routes, MAX_BODY_BYTES="1000") as p:
        admin = await p.bearer(Role.ADMINISTRATOR, "malmo")
        down = await p.gateway.get("/api/booking/bookings", headers=admin)
        unknown_service = await p.gateway.get("/api/nothing/here", headers=admin)
        unknown_route = await p.gateway.get("/no/such/route")
        too_large = await p.gateway.post("/auth/password", content=b"x" * 5000)
        wrong_type = await p.gateway.post(
            "/auth/password", content=b"email=a", headers={"Content-Type": "text/plain"}
        )
        health = await p.gateway.get("/healthz")
    assert down.status_code == 503
    assert down.headers["content-type"] == "application/problem+json"
    assert "booking service is not reachable" in down.json()["detail"]
    assert unknown_service.status_code == 404
    assert unknown_route.status_code == 404
    assert too_large.status_code == 413
    assert wrong_type.status_code == 422
    assert health.status_code == 200


async def test_the_unsubscribe_link_in_a_mail_works_through_the_gateway_without_signing_in(
    servers: Servers, topic_prefix: str, new_schema, directory_url: str
) -> None:
    async with platform(servers, topic_prefix, new_schema, {"directory": directory_url}) as p:
        operator = await p.bearer(Role.OPERATOR, None)
        town = {"id": "malmo", "name": "Malmö stad", "languages": ["sv"],
                "time_zone": "Europe/Stockholm"}  # fmt: skip
        await p.gateway.post("/api/directory/municipalities", json=town, headers=operator)
        admin = await p.bearer(Role.ADMINISTRATOR, "malmo")
        files = {"units": "id,name,kind\n", "groups": "id,unit_id,name,target_group,size\n",
                 "teachers": "id,name,email\nT1,Maria Lindqvist,maria@malmo.example\n"}  # fmt: skip
        imported = await p.gateway.post("/api/directory/imports/csv", json=files, headers=admin)
        assert imported.status_code == 200, imported.text
        [maria] = (await p.gateway.get("/api/directory/teachers", headers=admin)).json()
        token = sign_mail_link(
            MailLink(purpose=UNSUBSCRIBE, municipality_id="malmo", subject_id=maria["id"]),
            TEST_SECRET,
        )
        url = f"/api/directory/unsubscribe?token={token}"
        page = await p.gateway.get(url)
        one_click = await p.gateway.post(url, data={"List-Unsubscribe": "One-Click"})
        forged = await p.gateway.post(url.replace("token=", "token=x"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "form-action 'self'" in policy and "style-src 'unsafe-inline'" in policy
    assert one_click.status_code == 200 and one_click.json() == {"invitations": "none"}
    assert one_click.headers["Content-Security-Policy"] == API_CSP, "data stays data only"
    assert forged.status_code == 400
