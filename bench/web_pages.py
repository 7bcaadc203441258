"""The web pages a teacher and an organizer open most, in a municipality of 20,000 groups with
2,000 published events: the time to the full page through the gateway, 200 requests one after
another, and the page's weight (HTML and the CSS, JavaScript and fonts it names, as served and
raw); beside them, in the same run, the gateway's own /healthz and one of the web's assets
through the gateway.

The directory, catalog, gateway and web run as their own processes, as in production. The
municipality is filled through the platform's own paths: the directory's CSV import (units,
groups, teachers), the catalog's API as the organizer (draft, then publish). The teacher signs
in from the link the gateway mails, the organizer with a password, both on the pages.

Run with `.venv/bin/python -m bench.web_pages [EVENTS [GROUPS [REQUESTS]]]`.
"""

import asyncio
import json
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import psycopg
from prometheus_client.parser import text_string_to_metric_families

from bench.harness import Stage, csv_import, municipality_with_organizer, ok, stage
from gateway.cli import _insert as add_account
from gateway.db import Account
from gateway.passwords import hash_password
from kulturbro_cli.services import load_service
from kulturbro_contracts import SignInLinkRequested, parse_event
from kulturbro_devstack.ports import free_port
from kulturbro_devstack.testing import (
    Servers,
    identity_headers,
    read_topic,
    service_settings,
    start_servers,
    until,
)
from kulturbro_runtime import Role

EVENTS, GROUPS, REQUESTS = 2_000, 20_000, 200
SERVICES = ("directory", "catalog", "gateway", "web")
GROUPS_PER_UNIT, GROUPS_PER_TEACHER = 50, 2
GRADES = [f"grade_{n}" for n in range(1, 10)]
# Drafting and publishing the events, this many at a time.
WRITERS = 4
PASSWORD = "correct horse battery staple"
AIM_P95_MS, AIM_KB = 200, 100
RATE_LIMIT = "1000000"  # the gateway's per-caller limit is not what is measured here


@dataclass(frozen=True)
class Timed:
    name: str
    seconds: list[float]
    service_ms: str  # the web's own mean, from its /metrics, where the web answered


@dataclass(frozen=True)
class Weight:
    page: str
    html: tuple[int, int]  # raw, as served
    code: tuple[int, int]  # the CSS and JavaScript it names
    fonts: tuple[int, int]


def _the_files(town: str, groups: int, teacher: str) -> dict[str, object]:
    """units.csv, groups.csv and teachers.csv: every two groups have a teacher, the first two
    (grades 3 and 4) the benchmark's teacher."""
    return csv_import(
        groups // GROUPS_PER_UNIT + 1,
        [
            f"G{n},U{n // GROUPS_PER_UNIT},{n % 9 + 1}{chr(65 + n % 5)},grade_{(n + 2) % 9 + 1},24"
            for n in range(groups)
        ],
        [
            f"T{n},Lärare {n},{teacher if n == 0 else f't{n}-{town}@example.org'},"
            + " ".join(f"G{g}" for g in range(n * GROUPS_PER_TEACHER, (n + 1) * GROUPS_PER_TEACHER))
            for n in range(groups // GROUPS_PER_TEACHER)
        ],
    )


def _an_event(number: int, chance: random.Random) -> dict[str, object]:
    """For three grades in a row, with two occurrences in the next year."""
    first = chance.randrange(len(GRADES) - 2)
    days = chance.randrange(7, 300)
    start = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0)
    occurrences = [
        {
            "starts_at": (start + timedelta(days=days + week * 7)).isoformat(),
            "ends_at": (start + timedelta(days=days + week * 7, hours=1)).isoformat(),
            "capacity": 90,
            "language": "sv",
        }
        for week in (0, 1)
    ]
    return {
        "title": {"sv": f"Föreställning {number}", "en": f"Performance {number}"},
        "description": {"sv": "Om styrka och vänskap, för hela klassen.", "en": "On courage."},
        "category": chance.choice(["theatre", "music", "dance"]),
        "target_groups": GRADES[first : first + 3],
        "duration_minutes": 60,
        "venue": {"name": "Stora scenen", "district": "Centrum", "step_free": True},
        "max_group_size": 30,
        "adults_per_group": 2,
        "booking_policy": "instant",
        "occurrences": occurrences,
    }


async def _many(calls: list[Callable[[], Awaitable[None]]], at_once: int) -> None:
    slots = asyncio.Semaphore(at_once)

    async def one(call: Callable[[], Awaitable[None]]) -> None:
        async with slots:
            await call()

    await asyncio.gather(*(one(call) for call in calls))


def _count(run: Stage, sql: str) -> int:
    with psycopg.connect(run.url, autocommit=True) as connection:
        row = connection.execute(sql).fetchone()
        return int(row[0]) if row else 0


async def _start(run: Stage, workdir: Path) -> dict[str, str]:
    """The four services as processes; each one's base URL once it answers."""
    ports = {name: free_port() for name in SERVICES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    for name in SERVICES:
        env = run.env(
            name,
            HTTP_PORT=str(ports[name]),
            GATEWAY_ROUTES=json.dumps({"directory": urls["directory"], "catalog": urls["catalog"]}),
            PUBLIC_URL=urls["gateway"],
            GATEWAY_URL=urls["gateway"],
            WEB_URL=urls["web"],
            RATE_LIMIT_PER_MINUTE=RATE_LIMIT,
        )
        service = load_service(name)
        service.migrate(service_settings(service, env))
        run.start(["kulturbro_cli", "service", name], env, workdir / f"{name}.log")
    async with httpx.AsyncClient(timeout=5) as http:
        for name, url in urls.items():

            async def answers(url: str = url) -> bool:
                try:
                    return (await http.get(f"{url}/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            deadline = time.monotonic() + 60
            while not await answers():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} did not start: see {workdir / name}.log")
                await asyncio.sleep(0.2)
    return urls


async def _fill(run: Stage, urls: dict[str, str], events: int, groups: int) -> tuple[str, str]:
    """A municipality, its groups and teachers, an organizer with its events, and the staff
    account; the teacher's and the organizer's e-mail."""
    town = f"bench{uuid.uuid4().hex[:6]}"
    teacher = f"teacher-{town}@example.org"
    async with httpx.AsyncClient(timeout=600) as http:
        organizer = await municipality_with_organizer(http, urls, town, "Bänkby")
        office = identity_headers("administrator", town)
        started = time.perf_counter()
        files = _the_files(town, groups, teacher)
        ok(await http.post(f"{urls['directory']}/imports/csv", headers=office, json=files))
        print(f"  imported {groups} groups in {time.perf_counter() - started:.1f} s")
        chance = random.Random(11)
        bodies = [_an_event(number, chance) for number in range(events)]
        started = time.perf_counter()

        async def publish(body: dict[str, object]) -> None:
            # Signed as each request goes out, as the gateway does: an identity lives a minute.
            acting = identity_headers("organizer", town, organizer_id=organizer)
            url = f"{urls['catalog']}/events"
            drafted = ok(await http.post(url, json=body, headers=acting), 201).json()["id"]
            ok(await http.post(f"{url}/{drafted}/publish", headers=acting))

        await _many([partial(publish, body) for body in bodies], WRITERS)
        print(f"  published {events} events in {time.perf_counter() - started:.1f} s")
    # The catalog's and the gateway's copies of the directory, from its events.
    catalog, gateway = run.schemas["catalog"], run.schemas["gateway"]
    links = f'select count(*) from "{catalog}".replica_teacher_group'
    await until(lambda: _count(run, links) == groups, "told the catalog every group", 600)
    accounts = f"select count(*) from \"{gateway}\".account where email = '{teacher}'"
    await until(lambda: _count(run, accounts) == 1, "given the teacher an account", 600)
    organizer_email = f"organizer-{town}@example.org"
    account = Account(
        email=organizer_email,
        role=Role.ORGANIZER,
        municipality_id=town,
        organizer_id=organizer,
        password_hash=hash_password(PASSWORD),
    )
    await add_account(run.servers.database_url, gateway, account, 60)
    return teacher, organizer_email


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _post_form(http: httpx.AsyncClient, page: str, action: str, form: dict[str, str]) -> None:
    """Opens the page and posts its form with the page's CSRF token, as a browser would."""
    found = CSRF.search(ok(await http.get(page)).text)
    if found is None:
        raise RuntimeError(f"{page} has no form")
    ok(await http.post(action, data=form | {"csrf_token": found.group(1)}), 303)


async def _signed_in_teacher(run: Stage, http: httpx.AsyncClient, email: str) -> None:
    """Asks for a sign-in link and redeems it on the page, as the teacher would from her mail."""
    ok(await http.post("/auth/magic-link", json={"email": email}), 202)
    topic = f"{run.prefix}.access.v1"
    deadline = time.monotonic() + 60
    while True:
        records = await read_topic(run.servers.kafka_bootstrap_servers, topic, 1, timeout=5)
        mailed = [
            event.payload.link
            for event in map(parse_event, (record.value for record in records))
            if isinstance(event, SignInLinkRequested) and event.payload.email == email
        ]
        if mailed:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"no sign-in link mailed to {email}")
    token = parse_qs(urlsplit(str(mailed[-1])).query)["token"][0]
    await _post_form(http, f"/sign-in?token={token}", "/sign-in/redeem", {"token": token})


async def _web_seconds(http: httpx.AsyncClient, web: str, route: str) -> tuple[float, float]:
    """The web's own count and total seconds of GET `route` so far, from its /metrics."""
    text = (await http.get(f"{web}/metrics")).text
    count = total = 0.0
    for family in text_string_to_metric_families(text):
        if family.name != "kulturbro_http_request_seconds":
            continue
        for sample in family.samples:
            if sample.labels.get("route") == route and sample.labels.get("method") == "GET":
                if sample.name.endswith("_count"):
                    count += sample.value
                elif sample.name.endswith("_sum"):
                    total += sample.value
    return count, total


async def _time(
    http: httpx.AsyncClient, web: str, name: str, path: str, route: str | None, requests: int
) -> Timed:
    """`requests` GETs of the path one after another, each timed to its last byte."""
    for _ in range(3):  # warm: the first request of a process fills its caches
        ok(await http.get(path))
    before = await _web_seconds(http, web, route) if route else (0.0, 0.0)
    seconds = []
    for _ in range(requests):
        started = time.perf_counter()
        ok(await http.get(path))
        seconds.append(time.perf_counter() - started)
    service_ms = ""
    if route:
        count, total = await _web_seconds(http, web, route)
        service_ms = f"{(total - before[1]) / (count - before[0]) * 1000:.0f}"
    return Timed(name, seconds, service_ms)


FONT_URL = re.compile(r"url\(([^)]+\.woff2)\)")
CODE = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"')


async def _weight(http: httpx.AsyncClient, page: str) -> Weight:
    """The page and what it names, as a browser without a cache fetches them (gzip accepted)."""

    async def fetch(path: str) -> tuple[int, int, str]:
        answer = ok(await http.get(path, headers={"Accept-Encoding": "gzip"}))
        return len(answer.content), answer.num_bytes_downloaded, answer.text

    raw, served, html = await fetch(page)
    code, fonts = [0, 0], [0, 0]
    for path in CODE.findall(html):
        size, wire, text = await fetch(path)
        code[0], code[1] = code[0] + size, code[1] + wire
        if path.endswith(".css"):
            for font in FONT_URL.findall(text):
                size, wire, _ = await fetch(urljoin(path, font.strip("'\"")))
                fonts[0], fonts[1] = fonts[0] + size, fonts[1] + wire
    return Weight(page, (raw, served), (code[0], code[1]), (fonts[0], fonts[1]))


def _quantiles(seconds: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def _kb(sizes: tuple[int, int]) -> str:
    return f"{sizes[0] / 1000:.0f} / {sizes[1] / 1000:.0f}"


def _print(timed: list[Timed], weights: list[Weight], shown: dict[str, int]) -> None:
    bare = _quantiles(timed[0].seconds)[0]
    header = "p50 ms | p95 ms | p99 ms | web's own mean ms | p50 / healthz p50"
    print(f"\n| {'GET through the gateway':<38} | {header} |")
    print(f"|{'-' * 40}|--------|--------|--------|-------------------|-------------------|")
    for one in timed:
        p50, p95, p99 = _quantiles(one.seconds)
        print(
            f"| {one.name:<38} | {p50:>6.1f} | {p95:>6.1f} | {p99:>6.1f} |"
            f" {one.service_ms:>17} | {p50 / bare:>17.1f} |"
        )
    print(f"\nPage weight, kB raw / as served (gzip accepted); aim: HTML + CSS + JS under {AIM_KB}")
    print(f"| {'page':<18} | events shown | HTML      | CSS + JS  | fonts     | HTML + CSS + JS |")
    print(f"|{'-' * 20}|--------------|-----------|-----------|-----------|-----------------|")
    for weight in weights:
        total = (weight.html[0] + weight.code[0], weight.html[1] + weight.code[1])
        print(
            f"| {weight.page:<18} | {shown[weight.page]:>12} | {_kb(weight.html):>9} |"
            f" {_kb(weight.code):>9} | {_kb(weight.fonts):>9} | {_kb(total):>15} |"
        )


EVENT_LINK = re.compile(r'href="/(?:events|organizer/events)/[0-9a-f-]{36}"')


async def run(servers: Servers, events: int, groups: int, requests: int) -> None:
    print(f"\nWeb pages: {events} events, {groups} groups, {requests} requests a page")
    with tempfile.TemporaryDirectory() as workdir:
        async with stage(servers, *SERVICES) as running:
            urls = await _start(running, Path(workdir))
            teacher, organizer = await _fill(running, urls, events, groups)
            gateway, web = urls["gateway"], urls["web"]
            timed: list[Timed] = []
            weights: list[Weight] = []
            shown: dict[str, int] = {}
            async with httpx.AsyncClient(base_url=gateway, timeout=60) as anyone:
                bare = "/healthz (the gateway's own)"
                timed.append(await _time(anyone, web, bare, "/healthz", None, requests))
                html = ok(await anyone.get("/sign-in")).text
                css = next(path for path in CODE.findall(html) if path.endswith(".css"))
                asset = "the CSS (an asset of the web)"
                timed.append(await _time(anyone, web, asset, css, None, requests))
            for page, email in (("/teacher/events", teacher), ("/organizer/events", organizer)):
                async with httpx.AsyncClient(base_url=gateway, timeout=60) as http:
                    if page.startswith("/teacher"):
                        await _signed_in_teacher(running, http, email)
                    else:
                        form = {"email": email, "password": PASSWORD}
                        await _post_form(http, "/sign-in", "/sign-in/password", form)
                    timed.append(await _time(http, web, page, page, page, requests))
                    weights.append(await _weight(http, page))
                    shown[page] = len(set(EVENT_LINK.findall((await http.get(page)).text)))
    _print(timed, weights, shown)
    p95 = max(_quantiles(one.seconds)[1] for one in timed[2:])
    heaviest = max(w.html[1] + w.code[1] for w in weights) / 1000
    print(
        f"Aims: p95 under {AIM_P95_MS} ms: {'met' if p95 < AIM_P95_MS else 'NOT met'}"
        f" ({p95:.0f} ms); under {AIM_KB} kB as served:"
        f" {'met' if heaviest < AIM_KB else 'NOT met'} ({heaviest:.0f} kB)"
    )


def main() -> None:
    sizes = [int(argument) for argument in sys.argv[1:4]]
    events, groups, requests = [*sizes, *(EVENTS, GROUPS, REQUESTS)[len(sizes) :]]
    with ExitStack() as stack, tempfile.TemporaryDirectory() as workdir:
        servers = start_servers(stack, Path(workdir))
        asyncio.run(run(servers, events, groups, requests))


if __name__ == "__main__":
    main()
