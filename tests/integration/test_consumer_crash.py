"""A consumer process killed with SIGKILL mid-stream and restarted: nothing lost, nothing twice."""

import asyncio
import os
import signal
import subprocess
import sys

import pytest

from kulturbro_devstack.ports import free_port
from kulturbro_devstack.testing import Servers, service_env, service_settings
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.service import Service

from .conftest import PROBE_FILE, a_school, query

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
EVENTS = 300


def start_probe(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(PROBE_FILE)],
        env=os.environ | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def effects(servers: Servers, schema: str) -> int:
    return int(query(servers.database_url, f'select count(*) from "{schema}".effect')[0][0])  # type: ignore[call-overload]


@pytest.mark.parametrize("batched", ["", "1"], ids=["one by one", "batched"])
async def test_a_consumer_killed_mid_stream_loses_nothing_and_applies_nothing_twice(
    servers: Servers, topic_prefix: str, new_schema, probe: Service, batched: str
) -> None:
    schema = new_schema("probe")
    env = service_env(
        servers,
        topic_prefix,
        schema,
        HTTP_PORT=str(free_port()),
        PROBE_DELAY_SECONDS="0.01",
        PROBE_BATCHED=batched,
    )
    settings = service_settings(probe, env)
    probe.migrate(settings)
    # The events arrive through another schema's outbox, as they would from the directory.
    publisher_env = service_env(servers, topic_prefix, new_schema("publisher"))
    publisher_settings = service_settings(probe, publisher_env)
    probe.migrate(publisher_settings)
    publisher = Runtime("publisher", publisher_settings, handlers={})
    await publisher.start()
    consumer = start_probe(env)
    try:
        async with publisher.unit_of_work() as uow:
            for number in range(EVENTS):
                await uow.publish(a_school(f"School {number}", municipality=f"m{number % 7}"))
        for _ in range(300):
            if effects(servers, schema) >= EVENTS // 4:
                break
            await asyncio.sleep(0.1)
        applied_before_kill = effects(servers, schema)
        os.killpg(consumer.pid, signal.SIGKILL)
        consumer.wait()
        assert 0 < applied_before_kill < EVENTS, "the kill must land mid-stream"
        consumer = start_probe(env)
        for _ in range(600):
            if effects(servers, schema) >= EVENTS:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)  # time enough for a redelivered duplicate to show
    finally:
        if consumer.poll() is None:
            os.killpg(consumer.pid, signal.SIGTERM)
            consumer.wait(timeout=20)
        await publisher.stop()
    names = query(
        servers.database_url, f'select name, count(*) from "{schema}".effect group by name'
    )
    assert len(names) == EVENTS, "nothing lost"
    assert {count for _, count in names} == {1}, "nothing applied twice"
