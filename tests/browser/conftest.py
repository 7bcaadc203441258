"""Browser tests: Debian's Chromium driven by Playwright, pages checked with axe-core.

Nothing is downloaded at run time: Playwright launches the system's `chromium` (apt-get install
chromium; .ci/run does it in CI), and axe-core comes inside the axe-playwright-python wheel.
Fixtures here are sync (Playwright's sync API), so browser tests are plain `def` tests.
"""

import asyncio
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import psycopg
import pytest
import uvicorn
from aiokafka import AIOKafkaProducer
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, Playwright, sync_playwright

from gateway.cli import _insert as add_account
from gateway.db import Account
from gateway.passwords import hash_password
from kulturbro_contracts import (
    Event,
    EventPublished,
    OccurrenceChanged,
    parse_event,
    serialize_event,
)
from kulturbro_contracts.catalog import OccurrenceOfEvent
from kulturbro_devstack.testing import Servers, identity_headers, read_topic, serving_pages
from kulturbro_devstack.testing import wait_until as until
from kulturbro_runtime import Role
from kulturbro_runtime.topics import all_topics, create_topics

T = TypeVar("T")

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MISSING_CHROMIUM = (
    "Chromium is missing: the browser tests need Debian's chromium (apt-get install -y chromium)"
)


def chromium_executable() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        # In CI a missing browser is a failure, never a quiet skip.
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING_CHROMIUM, pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    return found


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    # Module scope: the sync API must not outlive into the asyncio loops of other test files.
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


def axe_violations(page: Page, tags: list[str] | None = None) -> list[str]:
    """Each violation of WCAG 2.1 A and AA on the page, as readable lines: rule, impact, what
    is wrong, and every element it was found on with what to fix."""
    options = {"runOnly": {"type": "tag", "values": tags or WCAG_21_AA}}
    results = Axe().run(page, options=options)
    lines = []
    for violation in results.response["violations"]:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(f"    at {target}: {summary}")
    return lines


@pytest.fixture
def assert_accessible() -> Callable[[Page], None]:
    """`assert_accessible(page)` fails the test listing every axe-core violation."""

    def check(page: Page) -> None:
        # KULTURBRO_SCREENSHOTS=DIR keeps a picture of every page checked, to look at as its
        # reader would (named by path and language).
        if folder := os.environ.get("KULTURBRO_SCREENSHOTS"):
            language = page.evaluate("document.documentElement.lang") or "xx"
            name = urlsplit(page.url).path.strip("/").replace("/", "_") or "start"
            page.screenshot(path=f"{folder}/{name}.{language}.png", full_page=True)
        violations = axe_violations(page)
        if violations:
            pytest.fail(
                f"{page.url} breaks WCAG 2.1 AA (axe-core):\n" + "\n".join(violations),
                pytrace=False,
            )

    return check


def tab_to(page: Page, target: Locator, most: int = 60) -> None:
    """Presses Tab until `target` has focus, as a keyboard user would; fails naming the focus
    order it went through when the target cannot be reached."""
    seen: list[str] = []
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
        seen.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e ? `${e.tagName.toLowerCase()} ${(e.innerText || e.value || e.name"
                " || e.id || '').trim().slice(0, 40)}` : 'nothing' }"
            )
        )
    pytest.fail(f"Tab never reached {target}; focus went: " + " → ".join(seen), pytrace=False)


@pytest.fixture
def keyboard() -> Callable[[Page, Locator], None]:
    """`keyboard(page, locator)`: Tab to it (fails if the keyboard cannot reach it)."""
    return tab_to


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """An ASGI app on a free local port in a thread, without its lifespan (no databases); yields
    its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start serving")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def serve() -> Callable[[Any], Any]:
    """`with serve(app) as base_url:` runs an ASGI app for the test."""
    return serving


@contextmanager
def in_background(factory: Callable[[], AbstractAsyncContextManager[T]]) -> Iterator[T]:
    """Enters an async context (services over HTTP) on an event loop of its own in a thread, so
    the sync Playwright API can drive a browser against it from the test's thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="services", daemon=True)
    thread.start()
    context = factory()
    try:
        value = asyncio.run_coroutine_threadsafe(context.__aenter__(), loop).result(300)
        try:
            yield value
        finally:
            asyncio.run_coroutine_threadsafe(context.__aexit__(None, None, None), loop).result(60)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()


STAFF_PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class LiveSite:
    url: str  # the gateway's: the browser's only address
    municipality: str
    event_id: str
    administrator: str  # signs in with STAFF_PASSWORD
    organizer: str  # Stadsteatern's, signs in with STAFF_PASSWORD
    topic_prefix: str = ""  # the platform's topics, where a test reads a mailed sign-in link
    schemas: dict[str, str] = field(default_factory=dict)  # each service's, by name


def in_days(days: int, hour: int) -> datetime:
    day = datetime.now(UTC) + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


# A teacher books, and is told the decision, on the pages.
BOOKING = ("booking", "allocation")


@asynccontextmanager
async def a_live_site(
    servers: Servers, more: Mapping[str, Mapping[str, str]] | None = None
) -> AsyncIterator[LiveSite]:
    """Directory, catalog, booking, allocation, gateway and web over real HTTP, with a
    municipality, a theatre's published event and an administrator's account; `more` adds
    services (such as notify) or settings, by service name."""
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    await create_topics(servers.kafka_bootstrap_servers, all_topics(prefix))
    schemas = {
        name: f"{name}_{uuid.uuid4().hex[:10]}"
        for name in ("directory", "catalog", "gateway", "web", *BOOKING, *(more or {}))
    }
    town = f"town{uuid.uuid4().hex[:6]}"
    backends = tuple(dict.fromkeys(("directory", "catalog", *BOOKING, *(more or {}))))
    backends = tuple(name for name in backends if name not in ("gateway", "web"))
    pages = serving_pages(servers, prefix, schemas, backends, more)
    async with pages as urls, httpx.AsyncClient() as http:
        registered = await http.post(
            f"{urls['directory']}/municipalities",
            headers=identity_headers("operator", None),
            json={
                "id": town,
                "name": "Bildstad",
                "languages": ["sv", "fi"],
                "time_zone": "Europe/Stockholm",
                "districts": ["Centrum"],
            },
        )
        assert registered.status_code == 201, registered.text
        organizer = await http.post(
            f"{urls['catalog']}/organizers",
            headers=identity_headers("administrator", town),
            json={"name": "Stadsteatern", "kind": "theatre", "contact_email": "b@example.org"},
        )
        assert organizer.status_code == 201, organizer.text
        acting = identity_headers("organizer", town, organizer_id=organizer.json()["id"])
        occurrences = [
            {
                "starts_at": in_days(days, 8).isoformat(),
                "ends_at": in_days(days, 9).isoformat(),
                "capacity": 90,
                "language": "sv",
            }
            for days in (20, 27)
        ]
        event = {
            "title": {"sv": "Pippi på scen", "fi": "Peppi lavalla", "en": "Pippi on stage"},
            "description": {"sv": "Om styrka och vänskap.", "fi": "Vahvuudesta ja ystävyydestä."},
            "category": "theatre",
            "target_groups": ["grade_1", "grade_2"],
            "duration_minutes": 50,
            "venue": {"name": "Stora scenen", "district": "Centrum", "step_free": True},
            "max_group_size": 30,
            "adults_per_group": 2,
            "booking_policy": "instant",
            "occurrences": occurrences,
        }
        drafted = await http.post(f"{urls['catalog']}/events", json=event, headers=acting)
        assert drafted.status_code == 201, drafted.text
        event_id = drafted.json()["id"]
        published = await http.post(f"{urls['catalog']}/events/{event_id}/publish", headers=acting)
        assert published.status_code == 200, published.text
        administrator = f"office-{uuid.uuid4().hex[:6]}@example.org"
        account = Account(
            email=administrator,
            role=Role.ADMINISTRATOR,
            municipality_id=town,
            password_hash=hash_password(STAFF_PASSWORD),
        )
        # Waits for the municipality to reach the gateway's copy, as `accounts add --wait` does.
        await add_account(servers.database_url, schemas["gateway"], account, 30)
        organizer_email = f"theatre-{uuid.uuid4().hex[:6]}@example.org"
        theatre = Account(
            email=organizer_email,
            role=Role.ORGANIZER,
            municipality_id=town,
            organizer_id=organizer.json()["id"],
            password_hash=hash_password(STAFF_PASSWORD),
        )
        await add_account(servers.database_url, schemas["gateway"], theatre, 30)
        yield LiveSite(
            urls["gateway"],
            town,
            event_id,
            administrator,
            organizer_email,
            topic_prefix=prefix,
            schemas=schemas,
        )


@pytest.fixture(scope="module")
def live_site_with() -> Mapping[str, Mapping[str, str]]:
    """More services or settings for a module's live site, by service name: a module that needs
    them overrides this fixture."""
    return {}


@pytest.fixture(scope="module")
def live_site(
    servers: Servers, live_site_with: Mapping[str, Mapping[str, str]]
) -> Iterator[LiveSite]:
    """The pages over the real platform, started once per test module."""
    with in_background(lambda: a_live_site(servers, live_site_with)) as site:
        yield site


@pytest.fixture(scope="module")
def signed_in_states(browser: Browser, live_site: LiveSite) -> dict[str, Any]:
    """Each staff account's browser state (its cookies), signed in once per module and taken by
    `signed_in_page`: the gateway allows an account 5 sign-ins a minute."""
    return {}


@pytest.fixture
def signed_in_page(
    browser: Browser, live_site: LiveSite, signed_in_states: dict[str, Any]
) -> Iterator[Callable[..., Page]]:
    """`signed_in_page(email, language="en")`: a page of a browser signed in with the password,
    open at the start page in that language."""
    contexts = []

    def open_page(email: str, language: str = "en") -> Page:
        context = browser.new_context(
            locale="sv-SE",
            timezone_id="Europe/Stockholm",
            storage_state=signed_in_states.get(email),
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        if email not in signed_in_states:
            page.goto(f"{live_site.url}/sign-in")
            page.fill("#email", email)
            page.fill("#password", STAFF_PASSWORD)
            page.locator("#password").press("Enter")
            page.wait_for_url(lambda url: "/sign-in" not in url)
            signed_in_states[email] = context.storage_state()
        page.goto(f"{live_site.url}/language?to={language}&next=/")
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def mailbox(servers: Servers, live_site: LiveSite) -> Callable[[str], list[str]]:
    """`mailbox(email)`: the sign-in links the live site has mailed to the address, oldest
    first, as notify would send them (read from the platform's access topic)."""

    def links(email: str) -> list[str]:
        topic = f"{live_site.topic_prefix}.access.v1"
        reading = read_topic(servers.kafka_bootstrap_servers, topic, 1)
        # Playwright's sync API keeps a loop running in this thread; the consumer needs its own.
        with ThreadPoolExecutor(1) as thread:
            records = thread.submit(asyncio.run, reading).result()
        events = [parse_event(record.value) for record in records]
        return [
            str(event.payload.link)  # type: ignore[attr-defined]
            for event in events
            if event.payload.email == email  # type: ignore[attr-defined]
        ]

    return links


@pytest.fixture(scope="module")
def api_headers(
    live_site: LiveSite, mailbox: Callable[[str], list[str]]
) -> Callable[[str], dict[str, str]]:
    """`api_headers(email)`: an Authorization header for the account, signed in through the
    gateway's API as a mobile app would: staff with the password, teachers from a mailed link
    (waiting until the gateway has made the imported teacher's account). Each account signs in
    once a module: the gateway allows an account 5 sign-ins a minute."""

    kept: dict[str, dict[str, str]] = {}

    def signed_in(email: str) -> dict[str, str]:
        if email not in kept:
            kept[email] = _signed_in(email)
        return kept[email]

    def _signed_in(email: str) -> dict[str, str]:
        with httpx.Client(base_url=live_site.url, timeout=30) as http:

            def patiently(path: str, body: dict[str, str]) -> httpx.Response:
                # Sign-ins are limited per network address, and every test run on a machine
                # comes from 127.0.0.1: wait as told rather than fail.
                for _ in range(5):
                    answer = http.post(path, json=body)
                    if answer.status_code != 429:
                        break
                    time.sleep(float(answer.headers.get("Retry-After", "5")) + 0.5)
                return answer

            def password(email: str) -> httpx.Response:
                return patiently("/auth/password", {"email": email, "password": STAFF_PASSWORD})

            answer = password(email)
            if answer.status_code == 401:
                office = signed_in(live_site.administrator)

                def has_an_account() -> bool:
                    found = http.get(
                        "/accounts", params={"role": "teacher", "limit": 1000}, headers=office
                    )
                    return email in {account["email"] for account in found.json()}

                until(has_an_account, f"given an account by the gateway: {email}")
                before = len(mailbox(email))
                assert patiently("/auth/magic-link", {"email": email}).status_code == 202
                until(lambda: len(mailbox(email)) > before, f"mailed a sign-in link: {email}")
                token = parse_qs(urlsplit(mailbox(email)[-1]).query)["token"][0]
                answer = patiently("/auth/magic-link/redeem", {"token": token})
            assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    return signed_in


def _on_the_bus(servers: Servers, live_site: LiveSite, events: list[Event]) -> None:
    """Sends events to the live site's topics as their service's outbox relay would."""

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=servers.kafka_bootstrap_servers)
        await producer.start()
        try:
            for event in events:
                await producer.send_and_wait(
                    event.topic(live_site.topic_prefix),
                    serialize_event(event),
                    key=event.key().encode(),
                    headers=[("correlation_id", str(event.correlation_id).encode())],
                )
        finally:
            await producer.stop()

    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, send()).result()


@pytest.fixture(scope="module")
def visit_is_over(servers: Servers, live_site: LiveSite) -> Callable[..., None]:
    """`visit_is_over(event_id=the live site's)`: the event's first occurrence took place
    yesterday, in the catalog's own table and as the other services hear it (the catalog refuses
    to move an occurrence into the past, and a browser test cannot wait weeks)."""

    def yesterday(event_id: str = live_site.event_id) -> None:
        topic = f"{live_site.topic_prefix}.catalog.v1"
        with ThreadPoolExecutor(1) as thread:
            reading = read_topic(servers.kafka_bootstrap_servers, topic, 1)
            records = thread.submit(asyncio.run, reading).result()
        (event,) = [
            e
            for e in map(parse_event, (record.value for record in records))
            if isinstance(e, EventPublished) and str(e.payload.event_id) == event_id
        ]
        first = min(event.payload.occurrences, key=lambda o: o.starts_at)
        shift = first.ends_at - datetime.now(UTC) + timedelta(days=1)
        moved = first.model_copy(
            update={"starts_at": first.starts_at - shift, "ends_at": first.ends_at - shift}
        )
        payload = OccurrenceOfEvent(event_id=event.payload.event_id, occurrence=moved)
        changed = OccurrenceChanged(municipality_id=live_site.municipality, payload=payload)
        with psycopg.connect(servers.database_url, autocommit=True) as catalog:
            catalog.execute(
                f'update "{live_site.schemas["catalog"]}".occurrence'
                " set starts_at = %s, ends_at = %s where id = %s",
                (moved.starts_at, moved.ends_at, moved.occurrence_id),
            )
        _on_the_bus(servers, live_site, [changed])

    return yesterday
