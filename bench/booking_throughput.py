"""End-to-end booking throughput: requests through the booking HTTP API until the allocation
has decided them, with decision latency; beside it, in the same run, the raw rate of a bare
conditional seat decrement in the same database from 8 clients, and the ratio of the two.

Run with `.venv/bin/python -m bench.booking_throughput [REQUESTS]`.
"""

import asyncio
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import psycopg

from bench.harness import stage
from kulturbro_cli.services import load_service
from kulturbro_devstack.facts import MUNICIPALITY, an_event, group_with_teacher, publish, school
from kulturbro_devstack.ports import free_port
from kulturbro_devstack.testing import (
    Servers,
    identity_headers,
    service_settings,
    start_servers,
)

REQUESTS = 2_000
EVENTS = 20
CLIENTS = 8
# Requests in flight at once, each on a connection of its own, as from a gateway.
IN_FLIGHT = 64
BARE_SECONDS = 5.0


def _count(url: str, sql: str) -> int:
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute(sql).fetchone()
        return int(row[0]) if row else 0


async def _until(check, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the platform did not get there in time")
        await asyncio.sleep(0.1)


@dataclass(frozen=True)
class Booking:
    teacher_id: UUID
    body: dict[str, Any]


async def send_bookings(
    base_url: str, bookings: list[Booking], in_flight: int = IN_FLIGHT
) -> list[float]:
    """Every booking through the HTTP API, `in_flight` at a time; each one's latency, sent to
    answered. Each identity is signed as its request goes out, as the gateway signs per request
    it forwards: signed up front, a request queued longer than an identity lives is refused."""
    slots = asyncio.Semaphore(in_flight)
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=in_flight)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as client:

        async def book(booking: Booking) -> None:
            async with slots:
                started = time.perf_counter()
                answer = await client.post(
                    "/bookings",
                    json=booking.body,
                    headers=identity_headers(
                        "teacher", MUNICIPALITY, subject=str(booking.teacher_id)
                    ),
                )
                if answer.is_error:
                    raise RuntimeError(f"booking answered {answer.status_code}: {answer.text}")
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(book(booking) for booking in bookings))
    return latencies


def bare_decrement_rate(url: str, schema: str) -> float:
    """UPDATE ... SET free = free - n WHERE id = ... AND free >= n RETURNING, from 8 clients."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'create table "{schema}".bare_pool (id int primary key, free int)')
        connection.execute(
            f'insert into "{schema}".bare_pool'
            f" select g, 1000000000 from generate_series(1, {EVENTS}) g"
        )

    def client(number: int, done: list[int]) -> None:
        with psycopg.connect(url, autocommit=True) as connection:
            statement = (
                f'update "{schema}".bare_pool set free = free - 3'
                " where id = %s and free >= 3 returning free"
            )
            deadline, made = time.monotonic() + BARE_SECONDS, 0
            while time.monotonic() < deadline:
                connection.execute(statement, (made % EVENTS + 1,)).fetchone()
                made += 1
            done.append(made)

    done: list[int] = []
    threads = [threading.Thread(target=client, args=(n, done)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / BARE_SECONDS


async def run(servers: Servers, requests: int) -> None:
    async with stage(servers, "booking", "allocation") as run:
        url, schemas, publisher = run.url, run.schemas, run.publisher
        port = free_port()
        for name in ("allocation", "booking"):
            env = run.env(name, HTTP_PORT=str(port if name == "booking" else free_port()))
            service = load_service(name)
            service.migrate(service_settings(service, env))
            run.start(["kulturbro_cli", "service", name], env)
        unit = school("Centrum")
        groups = [group_with_teacher(unit.payload.unit_id, 2) for _ in range(requests)]
        # Half the requests fit: every decision is a real one, seats or the waiting list.
        events = [an_event([requests * 3 // EVENTS // 2]) for _ in range(EVENTS)]
        await publish(publisher, [unit, *(f for _, _, facts in groups for f in facts), *events])
        links = f'select count(*) from "{schemas["booking"]}".replica_teacher_group'
        pools = f'select count(*) from "{schemas["allocation"]}".seat_pool'
        await _until(lambda: _count(url, links) == requests and _count(url, pools) == EVENTS, 180)

        bookings = []
        for index, (group_id, teacher_id, _) in enumerate(groups):
            event = events[index % EVENTS].payload
            body = {
                "group_id": str(group_id),
                "event_id": str(event.event_id),
                "occurrence_ids": [str(event.occurrences[0].occurrence_id)],
                "pupils": 2,
                "adults": 1,
            }
            bookings.append(Booking(teacher_id, body))
        requests_table = f'"{schemas["allocation"]}".seat_request'
        decided = f"select count(*) from {requests_table} where status <> 'pending'"
        started = time.time()
        latencies = await send_bookings(f"http://127.0.0.1:{port}", bookings)
        await _until(lambda: _count(url, decided) == requests, 300)
        with psycopg.connect(url, autocommit=True) as connection:
            rows = connection.execute(
                "select extract(epoch from decided_at - requested_at),"
                f" extract(epoch from decided_at) from {requests_table}"
            ).fetchall()
        decision = sorted(float(r[0]) for r in rows)
        elapsed = max(float(r[1]) for r in rows) - started
        bare = bare_decrement_rate(url, schemas["publisher"])
    rate = requests / elapsed
    http = sorted(latencies)

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))] * 1000

    print(f"\nBooking end to end: {requests} requests over {EVENTS} events, all services running\n")
    print(f"| {'measure':<54} | {'value':>12} |")
    print(f"|{'-' * 56}|{'-' * 14}|")
    for name, value in [
        ("decided bookings per second (HTTP request to decision)", f"{rate:.0f}/s"),
        ("decision latency p50 (accepted to decided)", f"{pct(decision, 0.5):.0f} ms"),
        ("decision latency p99", f"{pct(decision, 0.99):.0f} ms"),
        (f"HTTP request latency p50 ({IN_FLIGHT} in flight)", f"{pct(http, 0.5):.0f} ms"),
        ("HTTP request latency p99", f"{pct(http, 0.99):.0f} ms"),
        (f"bare conditional seat decrement, {CLIENTS} clients", f"{bare:.0f}/s"),
        ("ratio: decided bookings / bare decrements", f"{rate / bare:.3f}"),
    ]:
        print(f"| {name:<54} | {value:>12} |")


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else REQUESTS
    with ExitStack() as stack, tempfile.TemporaryDirectory() as workdir:
        servers = start_servers(stack, Path(workdir))
        asyncio.run(run(servers, requests))


if __name__ == "__main__":
    main()
