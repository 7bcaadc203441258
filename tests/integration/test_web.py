"""The web's pages through the real gateway: the mail links open pages, a teacher signs in from
the e-mailed link, forms need their CSRF token, sign-out revokes; and the gateway hands the
browser's address to the web and back, signed."""

import asyncio
import json
import random
import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from html import unescape
from http.cookies import SimpleCookie

import httpx
import psycopg
import pytest
import pytest_asyncio

from gateway.passwords import hash_password
from kulturbro_cli.services import load_service
from kulturbro_contracts import parse_event
from kulturbro_devstack.ports import free_port
from kulturbro_devstack.testing import (
    TEST_SECRET,
    Servers,
    identity_headers,
    read_topic,
    running,
    service_env,
    service_settings,
    serving,
)
from kulturbro_runtime.client_address import (
    CLIENT_ADDRESS_HEADER,
    sign_client_address,
    verify_client_address,
)
from kulturbro_runtime.db import driver_url
from kulturbro_runtime.topics import all_topics, create_topics
from web.app import CONTENT_SECURITY_POLICY
from web.oidc import CALLBACK_PATH

from .test_catalog_publish import an_event, an_occurrence
from .test_gateway import PASSWORD, platform

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]
TOWN = {
    "id": "webby",
    "name": "Webby kommun",
    "languages": ["sv", "fi"],
    "time_zone": "Europe/Stockholm",
    "districts": ["Centrum", "Öster"],
}


@dataclass
class Site:
    url: str  # the gateway's: the browser's only address
    prefix: str
    event_id: str
    teacher: str
    administrator: str


def _sql(servers: Servers) -> str:
    return driver_url(servers.database_url).replace("postgresql+psycopg://", "postgresql://")


def add_account(servers: Servers, schema: str, role: str, **columns: str) -> str:
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    values = {
        "id": str(uuid.uuid4()),
        "email": email,
        "role": role.upper(),
        "municipality_id": TOWN["id"],
        "language": "sv",
        "password_hash": hash_password(PASSWORD),
        "active": True,
    } | columns
    names = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    with psycopg.connect(_sql(servers), autocommit=True) as connection:
        connection.execute(
            f'insert into "{schema}".account ({names}) values ({marks})',  # type: ignore[arg-type]
            list(values.values()),
        )
    return email


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site(servers: Servers) -> AsyncIterator[Site]:
    """Directory, catalog, gateway and web, started once for the module, over real HTTP."""
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    await create_topics(servers.kafka_bootstrap_servers, all_topics(prefix))
    names = ("directory", "catalog", "gateway", "web")
    schemas = {name: f"{name}_{uuid.uuid4().hex[:10]}" for name in names}

    def settings(name: str, **extra: str):  # type: ignore[no-untyped-def]
        service = load_service(name)
        return service, service_settings(
            service, service_env(servers, prefix, schemas[name], **extra)
        )

    try:
        async with AsyncExitStack() as stack:
            routes = {
                name: await stack.enter_async_context(serving(*settings(name)))
                for name in ("directory", "catalog")
            }
            gateway_port, web_port = free_port(), free_port()
            url = f"http://127.0.0.1:{gateway_port}"
            await stack.enter_async_context(
                serving(*settings("web", GATEWAY_URL=url), port=web_port)
            )
            gateway_env = {
                "GATEWAY_ROUTES": json.dumps(routes),
                "PUBLIC_URL": url,
                "WEB_URL": f"http://127.0.0.1:{web_port}",
            }
            await stack.enter_async_context(
                serving(*settings("gateway", **gateway_env), port=gateway_port)
            )
            async with httpx.AsyncClient(base_url=routes["directory"]) as directory:
                town = await directory.post(
                    "/municipalities", json=TOWN, headers=identity_headers("operator", None)
                )
                assert town.status_code == 201, town.text
            async with httpx.AsyncClient(base_url=routes["catalog"]) as catalog:
                admin = identity_headers("administrator", TOWN["id"])
                organizer = await catalog.post(
                    "/organizers",
                    headers=admin,
                    json={
                        "name": "Stadsteatern",
                        "kind": "theatre",
                        "contact_email": "bokning@example.org",
                    },
                )
                acting = identity_headers(
                    "organizer", TOWN["id"], organizer_id=organizer.json()["id"]
                )
                body = an_event(
                    an_occurrence(20),
                    an_occurrence(27),
                    title={"sv": "Pippi på scen", "fi": "Peppi lavalla"},
                    venue={
                        "name": "Stora scenen",
                        "district": "Centrum",
                        "step_free": True,
                        "cloakroom": True,
                    },
                )
                drafted = await catalog.post("/events", json=body, headers=acting)
                event_id = drafted.json()["id"]
                published = await catalog.post(f"/events/{event_id}/publish", headers=acting)
                assert published.status_code == 200, published.text
            yield Site(
                url=url,
                prefix=prefix,
                event_id=event_id,
                teacher=add_account(servers, schemas["gateway"], "teacher"),
                administrator=add_account(servers, schemas["gateway"], "administrator"),
            )
    finally:
        with psycopg.connect(_sql(servers), autocommit=True) as connection:
            for schema in schemas.values():
                connection.execute(f'drop schema if exists "{schema}" cascade')


def browser(site: Site, **headers: str) -> httpx.AsyncClient:
    """A browser: keeps cookies, follows no redirect, so each one can be checked."""
    return httpx.AsyncClient(base_url=site.url, headers=headers, timeout=30)


def csrf_field(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"no CSRF field on {page.url}"
    return found.group(1)


def set_cookies(answer: httpx.Response) -> dict[str, SimpleCookie]:
    cookies = {}
    for header in answer.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        cookies.update({name: cookie for name in cookie})
    return cookies


async def the_mailed_link(servers: Servers, site: Site, email: str) -> str:
    records = await read_topic(servers.kafka_bootstrap_servers, f"{site.prefix}.access.v1", 1)
    for record in records:
        event = parse_event(record.value)
        if event.payload.email == email:  # type: ignore[attr-defined]
            return str(event.payload.link)  # type: ignore[attr-defined]
    raise AssertionError(f"no sign-in link for {email}")


async def test_the_event_link_of_a_mail_opens_its_page_in_the_readers_language(
    site: Site,
) -> None:
    async with browser(site) as anyone, browser(site, **{"Accept-Language": "fi"}) as finn:
        page = await anyone.get(f"/events/{site.event_id}")
        in_finnish = await finn.get(f"/events/{site.event_id}")
        start = await anyone.get("/")
        listing = await anyone.get(f"/m/{TOWN['id']}/events", params={"category": "theatre"})
        bad_dates = await anyone.get(
            f"/m/{TOWN['id']}/events", params={"from": "2027-13-40", "to": "soon"}
        )
        past = await anyone.get(f"/m/{TOWN['id']}/events", params={"to": "2020-01-31"})
        not_an_id = await anyone.get("/events/not-an-id")
        unknown = await anyone.get(f"/events/{uuid.uuid4()}")
        sheet = re.search(r'href="(/assets/kulturbro\.\w+\.css)"', page.text)
        assert sheet, "the page links its stylesheet under a hashed name"
        stylesheet = await anyone.get(sheet.group(1))
        switched = await anyone.get("/language", params={"to": "fi", "next": "/sign-in"})
        evil_next = await anyone.get("/language", params={"to": "en", "next": "//evil.example"})
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    text = unescape(page.text)
    assert '<html lang="sv">' in text
    assert "Pippi på scen" in text and "Stora scenen" in text and "Stadsteatern" in text
    assert text.count("<h1") == 1 and 'id="main"' in text and 'href="#main"' in text
    assert f'href="/events/{site.event_id}/book"' in text
    assert "Lediga platser" in text and text.count("<td>90</td>") == 2
    assert '<html lang="fi">' in in_finnish.text and "Peppi lavalla" in in_finnish.text
    assert start.status_code == 200 and "/sign-in" in start.text
    assert listing.status_code == 200 and "Pippi på scen" in unescape(listing.text)
    assert bad_dates.status_code == 422
    assert 'id="from-error"' in bad_dates.text and 'aria-describedby="dates-hint from-error"' in (
        bad_dates.text
    )
    assert 'value="2027-13-40"' in bad_dates.text, "what the reader typed is kept"
    assert past.status_code == 422, "said on the page, not a refusal from the catalog"
    assert "Sista dagen måste vara i dag eller senare." in unescape(past.text)
    for missing in (not_an_id, unknown):
        assert missing.status_code == 404
        assert "Sidan finns inte" in unescape(missing.text)
        assert "Traceback" not in missing.text
    assert stylesheet.status_code == 200, "served by Kulturbro itself, through the gateway"
    assert stylesheet.headers["content-type"].startswith("text/css")
    assert "immutable" in stylesheet.headers["cache-control"]
    assert switched.status_code == 303 and switched.headers["location"] == "/sign-in"
    assert "kulturbro_language=fi" in switched.headers["set-cookie"]
    assert evil_next.headers["location"] == "/"


async def test_a_teacher_signs_in_from_the_mailed_link_and_signing_out_revokes(
    servers: Servers, site: Site
) -> None:
    async with browser(site) as teacher:
        form = await teacher.get("/sign-in")
        asked = await teacher.post(
            "/sign-in/link", data={"link_email": site.teacher, "csrf_token": csrf_field(form)}
        )
        link = await the_mailed_link(servers, site, site.teacher)
        assert link.startswith(f"{site.url}/sign-in?token=")
        landing = await teacher.get(link.removeprefix(site.url))
        # Opened twice, as a mail scanner would: a GET never spends the link.
        again = await teacher.get(link.removeprefix(site.url))
        redeemed = await teacher.post(
            "/sign-in/redeem",
            data={"token": link.split("token=")[1], "csrf_token": csrf_field(landing)},
        )
        cookies = set_cookies(redeemed)
        home = await teacher.get(redeemed.headers["location"])
        event_signed_in = await teacher.get(f"/events/{site.event_id}")
        not_hers = await teacher.get("/office")
        refresh_token = teacher.cookies["kulturbro_session"]
        refused = await teacher.post("/sign-out", data={"csrf_token": "forged"})
        signed_out = await teacher.post("/sign-out", data={"csrf_token": csrf_field(home)})
        after = await teacher.get("/teacher")
        revoked = await teacher.post("/auth/refresh", json={"refresh_token": refresh_token})
    assert asked.status_code == 303 and asked.headers["location"] == "/sign-in?sent=true"
    assert landing.status_code == again.status_code == 200
    assert landing.headers["cache-control"] == "no-store"
    assert landing.headers["referrer-policy"] == "no-referrer"
    assert redeemed.status_code == 303, redeemed.text
    assert redeemed.headers["location"] == "/teacher", "the token is not carried on"
    for name in ("kulturbro_session", "kulturbro_access"):
        attributes = cookies[name][name]
        assert attributes["httponly"] is True
        assert attributes["samesite"].lower() == "lax"
        assert attributes["path"] == "/"
        assert not attributes["secure"], "no Secure cookie over plain HTTP in test"
    assert home.status_code == 200 and site.teacher in home.text
    assert "token=" not in str(home.url)
    assert event_signed_in.status_code == 200 and "Pippi på scen" in unescape(event_signed_in.text)
    assert not_hers.status_code == 404, "another role's page is not found, not shown"
    assert refused.status_code == 403
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/"
    assert after.status_code == 303 and after.headers["location"] == "/sign-in?next=%2Fteacher"
    assert revoked.status_code == 401, "the session's refresh token is revoked"


async def test_staff_sign_in_answers_on_the_page_and_a_form_without_its_token_is_refused(
    site: Site,
) -> None:
    async with browser(site, **{"Accept-Language": "en"}) as staff:
        no_cookie = await staff.post(
            "/sign-in/password", data={"email": site.administrator, "password": PASSWORD}
        )
        form = await staff.get("/sign-in", params={"next": "/office"})
        token = csrf_field(form)
        no_field = await staff.post(
            "/sign-in/password", data={"email": site.administrator, "password": PASSWORD}
        )
        wrong = await staff.post(
            "/sign-in/password",
            data={
                "email": site.administrator,
                "password": "not it",
                "csrf_token": token,
                "next": "/office",
            },
        )
        right = await staff.post(
            "/sign-in/password",
            data={
                "email": site.administrator,
                "password": PASSWORD,
                "csrf_token": token,
                "next": "/office",
            },
        )
        office = await staff.get("/office")
        teachers_page = await staff.get("/teacher")
        off_site = await staff.get("/sign-in", params={"next": "https://evil.example/"})
        # No identity provider is configured here: no button, and its routes are not found.
        at_a_provider = [await staff.get(path) for path in ("/sign-in/oidc", CALLBACK_PATH)]
        told_of_one = await staff.get("/sign-in", params={"failed": "no_account"})
    assert "/sign-in/oidc" not in form.text
    assert told_of_one.status_code == 200 and "sign-in-failed" not in told_of_one.text
    assert [answer.status_code for answer in at_a_provider] == [404, 404]
    assert no_cookie.status_code == no_field.status_code == 403
    assert "did not come from Kulturbro" in unescape(no_cookie.text)
    assert wrong.status_code == 422
    text = unescape(wrong.text)
    assert "The e-mail address or the password is wrong." in text
    assert 'aria-describedby="password-error"' in wrong.text
    assert f'value="{site.administrator}"' in wrong.text, "the e-mail typed is kept"
    assert 'class="ds-error-summary"' in wrong.text
    assert right.status_code == 303 and right.headers["location"] == "/office"
    assert office.status_code == 200 and site.administrator in office.text
    assert teachers_page.status_code == 404
    assert 'name="next" value=""' in off_site.text


async def test_the_gateway_gives_the_web_the_browsers_address_signed_and_trusts_only_that(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    seen: list[httpx.Request] = []

    def web(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            html="<p>page</p>",
            headers=[
                ("set-cookie", "a=1; HttpOnly"),
                ("set-cookie", "b=2; HttpOnly"),
                ("content-security-policy", CONTENT_SECURITY_POLICY),
                ("x-internal", "not forwarded"),
            ],
        )

    limits = {"SIGN_IN_ATTEMPTS_PER_ADDRESS_PER_MINUTE": "2", "WEB_URL": "http://web.invalid"}
    async with platform(servers, topic_prefix, new_schema, {}, **limits) as p:
        app = p.gateway._transport.app  # type: ignore[attr-defined]
        app.state.upstream = httpx.AsyncClient(transport=httpx.MockTransport(web))
        page = await p.gateway.get("/events/x", headers={"Cookie": "kulturbro_session=s"})

        async def attempt(address: str | None, signed: bool = True) -> int:
            headers = {}
            if address:
                headers[CLIENT_ADDRESS_HEADER] = (
                    sign_client_address(address, TEST_SECRET) if signed else address
                )
            answer = await p.gateway.post(
                "/auth/password",
                json={"email": f"{uuid.uuid4().hex}@example.org", "password": "guess"},
                headers=headers,
            )
            return answer.status_code

        # Addresses of this run's own: the limits' counts outlive a test by a minute.
        a, b, c = (f"198.18.{random.randint(0, 255)}.{n}" for n in (10, 20, 30))
        school_a = [await attempt(a) for _ in range(3)]
        school_b = await attempt(b)
        forged = [await attempt(c, signed=False) for _ in range(3)]
    assert page.status_code == 200
    assert page.headers.get_list("set-cookie") == ["a=1; HttpOnly", "b=2; HttpOnly"]
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "x-internal" not in page.headers
    forwarded = seen[0]
    assert forwarded.headers["cookie"] == "kulturbro_session=s"
    browser_address = p.gateway._transport.client[0]  # type: ignore[attr-defined]
    assert verify_client_address(forwarded.headers[CLIENT_ADDRESS_HEADER], TEST_SECRET) == (
        browser_address
    )
    assert school_a == [401, 401, 429], "limited per signed address"
    assert school_b == 401, "another school's browser has its own limit"
    # An unsigned header counts against the real address, not the one it names.
    assert forged == [401, 401, 429]


async def test_a_platform_that_does_not_answer_gives_a_page_saying_so(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    web = load_service("web")
    # Nothing listens on port 9: every call to the platform fails to connect.
    env = service_env(servers, topic_prefix, new_schema("web"), GATEWAY_URL="http://127.0.0.1:9")
    async with running(web, service_settings(web, env)) as pages:
        event = await pages.get(f"/events/{uuid.uuid4()}", headers={"Accept-Language": "fi"})
        listing = await pages.get("/m/webby/events")
        start = await pages.get("/")
    assert event.status_code == listing.status_code == 503
    assert "Palvelu ei ole käytettävissä" in event.text
    assert "Traceback" not in event.text and "127.0.0.1:9" not in event.text
    assert start.status_code == 200, "a page that needs no service still opens"


async def test_an_expired_access_token_is_refreshed_once_for_two_requests_at_once(
    site: Site,
) -> None:
    async with browser(site) as staff:
        form = await staff.get("/sign-in")
        signed_in = await staff.post(
            "/sign-in/password",
            data={
                "email": site.administrator,
                "password": PASSWORD,
                "csrf_token": csrf_field(form),
            },
        )
        assert signed_in.status_code == 303, signed_in.text
        old_refresh = staff.cookies["kulturbro_session"]
        # As when the access cookie's Max-Age has run out: only the session cookie is sent.
        staff.cookies.delete("kulturbro_access")
        first, second = await asyncio.gather(staff.get("/office"), staff.get("/office"))
        renewed = {
            cookies["kulturbro_session"]["kulturbro_session"].value
            for cookies in (set_cookies(first), set_cookies(second))
            if "kulturbro_session" in cookies
        }
        later = await staff.get("/office")
        spent = await staff.post("/auth/refresh", json={"refresh_token": old_refresh})
    assert (first.status_code, second.status_code) == (200, 200), "neither is signed out"
    assert len(renewed) == 1 and old_refresh not in renewed, "one new session, shared"
    assert later.status_code == 200
    assert spent.status_code == 401, "the old refresh token was used once, by the web"
