"""1,000 teachers book one occurrence at once through the HTTP API while two allocation processes
share the work and one of them is killed midway: exactly the capacity is confirmed, the rest
wait, and no request is lost."""

import asyncio
import os
import signal
import subprocess
import sys
import time

import httpx
import psutil
import pytest

from kulturbro_cli.services import load_service
from kulturbro_devstack.facts import MUNICIPALITY, an_event, group_with_teacher, publish, school
from kulturbro_devstack.ports import free_port
from kulturbro_devstack.testing import (
    Servers,
    identity_headers,
    service_env,
    service_settings,
)
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.service import Service

from .conftest import query

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
TEACHERS, CAPACITY, SEATS_EACH = 1000, 300, 3  # 2 pupils and 1 adult per group
CONNECTIONS = 100


def start(service: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kulturbro_cli", "service", service], env=os.environ | env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and SIGKILL if it has not gone within 20 s: this test is not about shutdown."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def count(servers: Servers, sql: str) -> int:
    return int(query(servers.database_url, sql)[0][0])  # type: ignore[call-overload]


async def wait_for(check, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if check():
            return True
        await asyncio.sleep(0.25)
    return False


def busiest(processes: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    """The process doing the deciding: one occurrence's requests share one partition."""
    before = [sum(psutil.Process(p.pid).cpu_times()[:2]) for p in processes]
    time.sleep(0.2)
    after = [sum(psutil.Process(p.pid).cpu_times()[:2]) for p in processes]
    return max(zip(processes, after, before, strict=True), key=lambda x: x[1] - x[2])[0]


async def test_a_thousand_requests_two_deciders_one_killed_never_oversell(
    servers: Servers, topic_prefix: str, new_schema, probe: Service
) -> None:
    booking, allocation = load_service("booking"), load_service("allocation")
    booking_schema, allocation_schema = new_schema("booking"), new_schema("allocation")
    allocation_env = service_env(servers, topic_prefix, allocation_schema)
    allocation.migrate(service_settings(allocation, allocation_env))
    deciders = [
        start("allocation", allocation_env | {"HTTP_PORT": str(free_port())}) for _ in range(2)
    ]
    publisher_settings = service_settings(
        probe, service_env(servers, topic_prefix, new_schema("publisher"))
    )
    probe.migrate(publisher_settings)
    publisher = Runtime("publisher", publisher_settings, handlers={})
    await publisher.start()
    try:
        unit = school("Öster")
        groups = [group_with_teacher(unit.payload.unit_id, 2) for _ in range(TEACHERS)]
        event = an_event([CAPACITY])
        await publish(publisher, [unit, *(f for _, _, facts in groups for f in facts), event])
        booking_env = service_env(servers, topic_prefix, booking_schema)
        booking.migrate(service_settings(booking, booking_env))
        port = free_port()
        booker = start("booking", booking_env | {"HTTP_PORT": str(port)})
        deciders.append(booker)  # stopped with the rest
        booking_url = f"http://127.0.0.1:{port}"
        links = f'select count(*) from "{booking_schema}".replica_teacher_group'
        pools = f'select count(*) from "{allocation_schema}".seat_pool'
        assert await wait_for(lambda: count(servers, links) == TEACHERS, 90)
        assert await wait_for(lambda: count(servers, pools) == 1, 60)
        occurrence = str(event.payload.occurrences[0].occurrence_id)

        # The gateway signs an identity as it forwards each request, so none waits longer than
        # the identity lives (60 s); signed before queueing, the last of 1,000 requests did.
        in_flight = asyncio.Semaphore(CONNECTIONS)

        async def book(client: httpx.AsyncClient, group_id, teacher_id) -> int:  # type: ignore[no-untyped-def]
            # As a real client would: a lost answer is asked again with the same key.
            for attempt in range(3):
                try:
                    async with in_flight:
                        headers = identity_headers("teacher", MUNICIPALITY, subject=str(teacher_id))
                        headers["Idempotency-Key"] = f"book-{group_id}"
                        answer = await client.post(
                            "/bookings",
                            json={"group_id": str(group_id),
                                  "event_id": str(event.payload.event_id),
                                  "occurrence_ids": [occurrence], "pupils": 2, "adults": 1},
                            headers=headers,
                        )  # fmt: skip
                    return answer.status_code
                except httpx.TransportError:
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")

        requests = f'"{allocation_schema}".seat_request'
        decided = f"select count(*) from {requests} where status <> 'pending'"
        limits = httpx.Limits(max_connections=CONNECTIONS)
        async with httpx.AsyncClient(base_url=booking_url, limits=limits, timeout=60) as client:
            booking_all = asyncio.gather(*(book(client, g, t) for g, t, _ in groups))
            # Midway: some requests decided, more still arriving.
            assert await wait_for(lambda: count(servers, decided) >= TEACHERS // 10, 60)
            victim = busiest(deciders[:2])
            os.killpg(victim.pid, signal.SIGKILL)
            killed_after = count(servers, decided)
            statuses = await booking_all
        victim.wait()
        assert statuses == [202] * TEACHERS
        assert await wait_for(lambda: count(servers, decided) == TEACHERS, 120), (
            f"{count(servers, decided)} of {TEACHERS} decided"
        )
        told = (
            f"select count(*) from \"{booking_schema}\".booking where lower(status) <> 'requested'"
        )
        assert await wait_for(lambda: count(servers, told) == TEACHERS, 60)
    finally:
        await publisher.stop()
        for process in deciders:
            stop(process)
    assert killed_after < TEACHERS, "the kill came midway"
    by_status = dict(
        query(
            servers.database_url,
            f'select status, count(*) from "{allocation_schema}".seat_request group by status',
        )
    )
    assert by_status == {
        "confirmed": CAPACITY // SEATS_EACH,
        "waitlisted": TEACHERS - CAPACITY // SEATS_EACH,
    }
    assert query(
        servers.database_url, f'select confirmed, capacity from "{allocation_schema}".seat_pool'
    ) == [(CAPACITY, CAPACITY)]
    seated = query(
        servers.database_url,
        f"select coalesce(sum(pupils + adults), 0), count(distinct group_id) from {requests}"
        " where status = 'confirmed'",
    )
    assert seated == [(CAPACITY, CAPACITY // SEATS_EACH)], "no group confirmed twice"
    in_booking = dict(
        query(
            servers.database_url,
            f'select lower(status), count(*) from "{booking_schema}".booking group by 1',
        )
    )
    assert in_booking == by_status, "every teacher is told what the allocation decided"
