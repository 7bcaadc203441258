"""The transactional outbox: an event leaves exactly when its state change commits."""

import asyncio

import pytest
from sqlalchemy import text

from kulturbro_contracts import parse_event
from kulturbro_devstack.kafka import start_kafka
from kulturbro_devstack.testing import (
    Servers,
    read_topic,
    service_env,
    service_settings,
)
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.service import Service
from kulturbro_runtime.topics import all_topics, create_topics

from .conftest import a_school, query

pytestmark = pytest.mark.integration


class Rollback(Exception):
    pass


async def test_a_rolled_back_change_publishes_nothing_and_a_committed_one_exactly_once(
    servers: Servers, topic_prefix: str, new_schema, probe: Service
) -> None:
    schema = new_schema("probe")
    settings = service_settings(probe, service_env(servers, topic_prefix, schema))
    probe.migrate(settings)
    runtime = Runtime("probe", settings, handlers={})
    await runtime.start()
    try:
        with pytest.raises(Rollback):
            async with runtime.unit_of_work() as uow:
                await uow.publish(a_school("Rolled back"))
                await uow.session.execute(
                    text("insert into effect (event_id, name) values (gen_random_uuid(), 'x')")
                )
                raise Rollback
        async with runtime.unit_of_work() as uow:
            committed = await uow.publish(a_school("Committed"))
        records = await read_topic(
            servers.kafka_bootstrap_servers, f"{topic_prefix}.directory.v1", expect=1
        )
    finally:
        await runtime.stop()
    assert [parse_event(r.value).event_id for r in records] == [committed.event_id]
    assert records[0].key == b"malmo"
    assert query(servers.database_url, f'select count(*) from "{schema}".effect') == [(0,)]
    assert query(
        servers.database_url, f'select count(*) from "{schema}".outbox where published_at is null'
    ) == [(0,)]


async def test_writes_succeed_while_the_broker_is_down_and_every_event_arrives_after(
    servers: Servers, new_schema, probe: Service, tmp_path
) -> None:
    # A broker of this test's own, since it is stopped and started again.
    with start_kafka() as kafka:
        own = Servers(servers.database_url, servers.redis_url, kafka.bootstrap_servers)
        prefix = "outage"
        await create_topics(kafka.bootstrap_servers, all_topics(prefix))
        schema = new_schema("probe")
        settings = service_settings(probe, service_env(own, prefix, schema))
        probe.migrate(settings)
        runtime = Runtime("probe", settings, handlers={})
        await runtime.start()
        try:
            kafka.stop()
            written = []
            for number in range(20):
                async with runtime.unit_of_work() as uow:
                    written.append((await uow.publish(a_school(f"School {number}"))).event_id)
            await asyncio.sleep(1.0)
            pending = query(
                servers.database_url,
                f'select count(*) from "{schema}".outbox where published_at is null',
            )
            assert pending == [(20,)], "with the broker away, the events wait in the outbox"
            kafka.restart()
            await create_topics(kafka.bootstrap_servers, all_topics(prefix))
            records = await read_topic(
                kafka.bootstrap_servers, f"{prefix}.directory.v1", expect=20, timeout=60
            )
        finally:
            await runtime.stop()
    delivered = [parse_event(r.value).event_id for r in records]
    assert sorted(map(str, delivered)) == sorted(map(str, written))
    assert delivered == written, "one key's events keep the order they were written in"
