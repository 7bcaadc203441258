"""The day a popular event opens: N teachers, each signed in with the link the gateway mails,
open the event's page and book it through the gateway, 64 at a time; every service runs as its
own process on this machine. Beside it, in the same run, the bare conditional decrement
(`UPDATE ... SET free = free - n WHERE id = ... AND free >= n`) on PostgreSQL from the same
number of concurrent clients, and the ratio of the two.

The gateway, directory, catalog, booking and allocation run as in production. The municipality
is filled through the platform's own paths: the directory's CSV import (a grade 4 class and its
teacher per teacher), the catalog's API as the organizer (one instant event, two performances,
seats for half the classes). Each teacher asks for a sign-in link, which the gateway publishes
for notify to mail; the benchmark reads it from the bus and redeems it for an access token as
the web does. Then, timed: each teacher GETs the event's page
(`/api/catalog/public/events/ID`) and POSTs her booking (`/api/booking/bookings`).

Run with `.venv/bin/python -m bench.booking_load [TEACHERS [CLIENTS]]`.
"""

import asyncio
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import psutil
import psycopg

from bench import http1
from bench.harness import Stage, csv_import, municipality_with_organizer, ok, stage
from kulturbro_cli.services import load_service
from kulturbro_contracts import SignInLinkRequested, parse_event
from kulturbro_devstack.ports import free_port
from kulturbro_devstack.testing import (
    Servers,
    identity_headers,
    read_topic,
    service_settings,
    start_servers,
)

TEACHERS = 2_000
SMOKE_TEACHERS = 50
CLIENTS = 64
# The bare decrement's clients share this many connections: PostgreSQL here allows 100, and
# other work (the services' own pools among it) holds some of them.
BARE_CONNECTIONS = 16
BARE_SECONDS = 5.0
GROUPS_PER_UNIT = 25
SERVICES = ("directory", "catalog", "booking", "allocation", "gateway")
ROUTED = ("directory", "catalog", "booking", "allocation")
# All teachers sign in from this one address, as a school's network would; not what is measured.
SIGN_IN_LIMIT = "1000000"
# Each service's connections (as many again at a peak): five services at the default of 10
# would take what this machine's PostgreSQL allows (100), shared with other work.
POOL_SIZE = "4"


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    answered: int = 0  # without an error

    def failed(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def _count(run: Stage, sql: str) -> int:
    with psycopg.connect(run.url, autocommit=True) as connection:
        row = connection.execute(sql).fetchone()
        return int(row[0]) if row else 0


async def _until(check, what: str, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the platform did not get there in time: {what}")
        await asyncio.sleep(0.3)


async def _start(run: Stage, workdir: Path) -> tuple[dict[str, str], dict[str, psutil.Process]]:
    """The five services as processes; each one's base URL once it answers, and its process."""
    ports = {name: free_port() for name in SERVICES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    processes: dict[str, psutil.Process] = {}
    for name in SERVICES:
        env = run.env(
            name,
            HTTP_PORT=str(ports[name]),
            GATEWAY_ROUTES=json.dumps({routed: urls[routed] for routed in ROUTED}),
            PUBLIC_URL=urls["gateway"],
            SIGN_IN_ATTEMPTS_PER_ADDRESS_PER_MINUTE=SIGN_IN_LIMIT,
            DATABASE_POOL_SIZE=POOL_SIZE,
        )
        service = load_service(name)
        service.migrate(service_settings(service, env))
        started = run.start(["kulturbro_cli", "service", name], env, workdir / f"{name}.log")
        processes[name] = psutil.Process(started.pid)
    async with httpx.AsyncClient(timeout=5) as http:
        for name, url in urls.items():
            deadline = time.monotonic() + 90
            while True:
                try:
                    if (await http.get(f"{url}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} did not start: see {workdir / name}.log")
                await asyncio.sleep(0.2)
    return urls, processes


def _cpu_seconds(processes: dict[str, psutil.Process]) -> dict[str, float]:
    """Each process's CPU time so far (user and system); the benchmark's own as "client"; and
    the whole machine's busy time as "machine" (PostgreSQL, the broker and Redis are on it)."""
    every = processes | {"client": psutil.Process()}
    spent = {name: sum(process.cpu_times()[:2]) for name, process in every.items()}
    machine = psutil.cpu_times()
    return spent | {MACHINE: sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)}


MACHINE = "machine"


def _files(town: str, teachers: int) -> dict[str, object]:
    """units.csv, groups.csv and teachers.csv: a grade 4 class of 24 per teacher."""
    return csv_import(
        teachers // GROUPS_PER_UNIT + 1,
        [
            f"G{n},U{n // GROUPS_PER_UNIT},4{chr(65 + n % GROUPS_PER_UNIT)},grade_4,24"
            for n in range(teachers)
        ],
        [f"T{n},Lärare {n},{_email(town, n)},G{n}" for n in range(teachers)],
    )


def _email(town: str, n: int) -> str:
    return f"t{n}-{town}@example.org"


MAX_SEATS = 10_000  # the catalog's bound on a performance's capacity


def _the_event(teachers: int) -> dict[str, object]:
    """Two performances with seats for half the classes (each class 24 pupils and 2 adults), at
    most the catalog's 10,000 a performance."""
    start = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    seats = min(MAX_SEATS, max(26, teachers * 26 // 4))
    return {
        "title": {"sv": "Pippi på scen", "en": "Pippi on stage"},
        "description": {"sv": "Teater för årskurs 4.", "en": "Theatre for grade 4."},
        "category": "theatre",
        "target_groups": ["grade_4"],
        "duration_minutes": 60,
        "venue": {"name": "Stora scenen", "district": "Centrum", "step_free": True},
        "max_group_size": 30,
        "adults_per_group": 2,
        "booking_policy": "instant",
        "occurrences": [
            {
                "starts_at": (start + timedelta(days=60 + day)).isoformat(),
                "ends_at": (start + timedelta(days=60 + day, hours=1)).isoformat(),
                "capacity": seats,
                "language": "sv",
            }
            for day in (0, 1)
        ],
    }


async def _fill(run: Stage, urls: dict[str, str], teachers: int) -> tuple[str, str, str]:
    """The municipality, its classes and teachers, and the event; the town, the event and its
    first performance."""
    town = f"load{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(timeout=600) as http:
        organizer = await municipality_with_organizer(http, urls, town, "Bokstad")
        office = identity_headers("administrator", town)
        files = _files(town, teachers)
        ok(await http.post(f"{urls['directory']}/imports/csv", headers=office, json=files))
        acting = identity_headers("organizer", town, organizer_id=organizer)
        drafted = ok(
            await http.post(f"{urls['catalog']}/events", json=_the_event(teachers), headers=acting),
            201,
        ).json()
        event = drafted["id"]
        ok(await http.post(f"{urls['catalog']}/events/{event}/publish", headers=acting))
        occurrence = drafted["occurrences"][0]["id"]
    schemas = run.schemas
    waits = {
        "booking's copy of every teacher's class": (
            f'select count(*) from "{schemas["booking"]}".replica_teacher_group',
            teachers,
        ),
        "booking's copy of the event": (
            f'select count(*) from "{schemas["booking"]}".replica_event',
            1,
        ),
        "allocation's seats": (f'select count(*) from "{schemas["allocation"]}".seat_pool', 2),
        "every teacher's account": (
            f'select count(*) from "{schemas["gateway"]}".account',
            teachers,
        ),
    }
    for what, (sql, expected) in waits.items():
        await _until(lambda sql=sql, n=expected: _count(run, sql) == n, what, 600)
    return town, event, occurrence


async def _many(calls, at_once: int) -> None:  # type: ignore[no-untyped-def]
    slots = asyncio.Semaphore(at_once)

    async def one(call) -> None:  # type: ignore[no-untyped-def]
        async with slots:
            await call()

    await asyncio.gather(*(one(call) for call in calls))


async def _sign_in(run: Stage, gateway: str, town: str, teachers: int) -> dict[str, str]:
    """Every teacher asks for a link and redeems the one mailed to her; her access token."""
    emails = [_email(town, n) for n in range(teachers)]
    async with httpx.AsyncClient(base_url=gateway, timeout=120) as http:

        async def ask(email: str) -> None:
            ok(await http.post("/auth/magic-link", json={"email": email}), 202)

        await _many([lambda e=e: ask(e) for e in emails], CLIENTS)
        records = await read_topic(
            run.servers.kafka_bootstrap_servers, f"{run.prefix}.access.v1", teachers, 300
        )
        links = {}
        for record in records:
            event = parse_event(record.value)
            if isinstance(event, SignInLinkRequested):
                links[str(event.payload.email)] = str(event.payload.link)
        tokens: dict[str, str] = {}

        async def redeem(email: str) -> None:
            token = parse_qs(urlsplit(links[email]).query)["token"][0]
            answer = ok(await http.post("/auth/magic-link/redeem", json={"token": token}))
            tokens[email] = answer.json()["access_token"]

        await _many([lambda e=e: redeem(e) for e in emails], CLIENTS)
    return tokens


@dataclass(frozen=True)
class Teacher:
    token: str
    group_id: str


async def _teachers(urls: dict[str, str], town: str, tokens: dict[str, str]) -> list[Teacher]:
    """Each teacher's class, as she finds it through the gateway (not timed)."""
    found: list[Teacher] = []
    async with httpx.AsyncClient(base_url=urls["gateway"], timeout=120) as http:

        async def groups(token: str) -> None:
            answer = ok(
                await http.get(
                    "/api/directory/groups", headers={"Authorization": f"Bearer {token}"}
                )
            )
            found.append(Teacher(token, answer.json()[0]["id"]))

        await _many([lambda t=t: groups(t) for t in tokens.values()], CLIENTS)
    return found


async def _book(
    gateway: str, teachers: list[Teacher], event: str, occurrence: str, clients: int
) -> tuple[Timings, Timings, float]:
    """The timed part: `clients` at once, each on its own keep-alive connection, each teacher
    opening the page, then booking."""
    page, booking = Timings(), Timings()
    waiting = iter(teachers)
    page_path = f"/api/catalog/public/events/{event}"

    async def timed(timings: Timings, what: str, asking: Awaitable[http1.Answer]) -> bool:
        started = time.perf_counter()
        try:
            answer = await asking
        except (http1.ConnectionFailed, TimeoutError) as error:
            timings.failed(f"{what}: {type(error).__name__}")
            return False
        timings.seconds.append(time.perf_counter() - started)
        if answer.is_error:
            timings.failed(f"{what}: {answer.status} {answer.text[:120]}")
            return False
        timings.answered += 1
        return True

    async def one(http: http1.Connection, teacher: Teacher) -> None:
        bearer = {"Authorization": f"Bearer {teacher.token}"}
        asked = {
            "group_id": teacher.group_id,
            "event_id": event,
            "occurrence_ids": [occurrence],
            "pupils": 24,
            "adults": 2,
        }
        if await timed(page, "page", http.request("GET", page_path, bearer)):
            keyed = bearer | {"Idempotency-Key": str(uuid.uuid4())}
            await timed(
                booking, "booking", http.request("POST", "/api/booking/bookings", keyed, asked)
            )

    async def client() -> None:
        http = http1.Connection(gateway, timeout=120)
        try:
            for teacher in waiting:
                await one(http, teacher)
        finally:
            http.close()

    started = time.time()
    await asyncio.gather(*(client() for _ in range(clients)))
    return page, booking, started


async def bare_decrement_rate(url: str, schema: str, clients: int) -> float:
    """The conditional decrement alone, `clients` at once over BARE_CONNECTIONS connections."""
    table = f'"{schema}".bare_seats'
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
        await connection.execute(f"create table {table} (id int primary key, free int)")
        await connection.execute(f"insert into {table} values (1, 1000000000)")
    statement = f"update {table} set free = free - 26 where id = 1 and free >= 26 returning free"
    connections = [
        await psycopg.AsyncConnection.connect(url, autocommit=True)
        for _ in range(min(clients, BARE_CONNECTIONS))
    ]
    locks = [asyncio.Lock() for _ in connections]
    made = [0]
    deadline = time.monotonic() + BARE_SECONDS

    async def client(number: int) -> None:
        index = number % len(connections)
        while time.monotonic() < deadline:
            async with locks[index]:
                await (await connections[index].execute(statement)).fetchone()
            made[0] += 1

    try:
        started = time.monotonic()
        await asyncio.gather(*(client(n) for n in range(clients)))
        return made[0] / (time.monotonic() - started)
    finally:
        for connection in connections:
            await connection.close()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


async def run(servers: Servers, teachers: int, clients: int = CLIENTS) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        async with stage(servers, *SERVICES) as running:
            urls, processes = await _start(running, Path(workdir))
            started = time.perf_counter()
            town, event, occurrence = await _fill(running, urls, teachers)
            print(f"  filled {teachers} teachers' classes in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            tokens = await _sign_in(running, urls["gateway"], town, teachers)
            found = await _teachers(urls, town, tokens)
            print(f"  signed in {len(found)} teachers in {time.perf_counter() - started:.1f} s")
            # The services are idle meanwhile: what each spends on its own (polling the broker
            # and the outbox) is taken off its CPU per booking below.
            idle_before, idle_started = _cpu_seconds(processes), time.monotonic()
            bare = await bare_decrement_rate(running.url, running.schemas["publisher"], clients)
            idle_after, idle_seconds = _cpu_seconds(processes), time.monotonic() - idle_started
            cpu_before, busy_started = _cpu_seconds(processes), time.monotonic()
            page, booking, began = await _book(urls["gateway"], found, event, occurrence, clients)
            booked = booking.answered
            allocation, booking_schema = running.schemas["allocation"], running.schemas["booking"]
            decided = (
                f"select count(*) from \"{allocation}\".seat_request where status <> 'pending'"
            )
            await _until(lambda: _count(running, decided) >= booked, "every booking decided", 600)
            cpu_after, busy_seconds = _cpu_seconds(processes), time.monotonic() - busy_started
            with psycopg.connect(running.url, autocommit=True) as connection:
                rows = connection.execute(
                    "select extract(epoch from d.decided_at - b.requested_at),"
                    " extract(epoch from d.decided_at)"
                    f' from "{booking_schema}".booking b'
                    f' join "{allocation}".seat_request d on d.booking_id = b.id'
                ).fetchall()
    decision = [float(r[0]) for r in rows]
    elapsed = max(float(r[1]) for r in rows) - began if rows else float("nan")
    rate = len(rows) / elapsed
    errors = {**page.errors, **booking.errors}
    print(
        f"\nThe day a popular event opens: {teachers} teachers, {clients} clients at once,"
        " through the gateway\n"
    )
    print(f"| {'measure':<58} | {'value':>12} |")
    print(f"|{'-' * 60}|{'-' * 14}|")
    for name, value in [
        ("decided bookings per second (first page to last decision)", f"{rate:.0f}/s"),
        ("decision latency p50 (booking accepted to decided)", f"{_pct(decision, 0.5):.0f} ms"),
        ("decision latency p99", f"{_pct(decision, 0.99):.0f} ms"),
        ("HTTP p50, POST /api/booking/bookings", f"{_pct(booking.seconds, 0.5):.0f} ms"),
        ("HTTP p99, POST /api/booking/bookings", f"{_pct(booking.seconds, 0.99):.0f} ms"),
        ("HTTP p50, GET the event's page", f"{_pct(page.seconds, 0.5):.0f} ms"),
        ("HTTP p99, GET the event's page", f"{_pct(page.seconds, 0.99):.0f} ms"),
        ("errors", str(sum(errors.values()))),
        (f"bare conditional decrement, {clients} clients", f"{bare:.0f}/s"),
        ("ratio: decided bookings / bare decrements", f"{rate / bare:.3f}"),
    ]:
        print(f"| {name:<58} | {value:>12} |")
    for what, count in sorted(errors.items()):
        print(f"  {count} x {what}")
    # Where the time goes, whatever else the machine is doing: CPU per booking decided (its
    # page and its booking through the gateway, and the decision), per process.
    decided_count = max(1, len(rows))
    idle = {
        name: (idle_after[name] - idle_before[name]) / idle_seconds * busy_seconds
        for name in cpu_after
        if name not in ("client", MACHINE)  # the machine's idle time ran the bare decrement
    }
    spent = {
        name: (cpu_after[name] - cpu_before[name] - idle.get(name, 0.0)) * 1000 / decided_count
        for name in cpu_after
    }
    machine = spent.pop(MACHINE)  # all of it: the services' idle work is in it
    total = sum(spent.values())
    idle_ms = sum(idle.values()) * 1000 / decided_count
    print(f"\n| {'CPU per decided booking (page, booking, decision)':<50} | {'ms':>8} |")
    print(f"|{'-' * 52}|{'-' * 10}|")
    for name, ms in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"| {name:<50} | {ms:>8.2f} |")
    print(f"| {'all of the above':<50} | {total:>8.2f} |")
    rest = machine - total - idle_ms
    print(f"| {'the rest: PostgreSQL, the broker, Redis, the OS':<50} | {rest:>8.2f} |")
    print(f"| {'the whole machine':<50} | {machine:>8.2f} |")
    cores = psutil.cpu_count()
    print(
        f"The services' rows less what each spends idle in as long ({idle_ms:.1f} ms a booking"
        " here); the machine's with nothing taken off, so with whatever else ran then. On"
        f" {cores} cores with nothing else running, the services' CPU allows at most"
        f" {cores * 1000 / total:.0f} decided bookings/s, the whole machine's"
        f" {cores * 1000 / machine:.0f}/s."
    )


def main() -> None:
    arguments = [a for a in sys.argv[1:] if a != "--smoke"]
    teachers = SMOKE_TEACHERS if "--smoke" in sys.argv else TEACHERS
    teachers = int(arguments[0]) if arguments else teachers
    clients = int(arguments[1]) if len(arguments) > 1 else CLIENTS
    with ExitStack() as stack, tempfile.TemporaryDirectory() as workdir:
        servers = start_servers(stack, Path(workdir))
        asyncio.run(run(servers, teachers, clients))


if __name__ == "__main__":
    main()
