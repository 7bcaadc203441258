"""Consumers: a redelivered event changes nothing; a poison message is set aside, not in the way."""

import asyncio

import pytest
from aiokafka import AIOKafkaProducer

from kulturbro_contracts import serialize_event
from kulturbro_devstack.testing import Servers, read_topic, running, service_env, service_settings
from kulturbro_runtime.service import Service

from .conftest import a_school, query

pytestmark = pytest.mark.integration


async def produce(servers: Servers, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def wait_for_rows(servers: Servers, sql: str, expected: int, timeout: float = 30) -> int:
    count = 0
    for _ in range(int(timeout / 0.2)):
        count = int(query(servers.database_url, sql)[0][0])  # type: ignore[call-overload]
        if count >= expected:
            break
        await asyncio.sleep(0.2)
    return count


async def test_the_same_event_delivered_twice_has_one_effect(
    servers: Servers, topic_prefix: str, new_schema, either_probe: Service
) -> None:
    probe = either_probe
    schema = new_schema("probe")
    settings = service_settings(probe, service_env(servers, topic_prefix, schema))
    twice, once = a_school("Twice"), a_school("Once")
    topic = twice.topic(topic_prefix)
    async with running(probe, settings):
        await produce(
            servers,
            topic,
            [(b"malmo", serialize_event(twice))] * 2 + [(b"malmo", serialize_event(once))],
        )
        effects = await wait_for_rows(servers, f'select count(*) from "{schema}".effect', 2)
        await asyncio.sleep(1.0)  # time enough for a wrongly applied duplicate to show
        rows = query(servers.database_url, f'select name from "{schema}".effect order by id')
    assert effects == 2
    assert rows == [("Twice",), ("Once",)]


async def test_a_poison_message_is_dead_lettered_after_the_retries_and_the_rest_still_flows(
    servers: Servers, topic_prefix: str, new_schema, either_probe: Service
) -> None:
    probe = either_probe
    schema = new_schema("probe")
    env = service_env(servers, topic_prefix, schema, CONSUMER_MAX_RETRIES="3")
    settings = service_settings(probe, env)
    poison, after = a_school("poison pill"), a_school("Behind the poison")
    topic = poison.topic(topic_prefix)
    async with running(probe, settings):
        await produce(
            servers,
            topic,
            [
                (b"malmo", b"{not json"),
                (b"malmo", serialize_event(poison)),
                (b"malmo", serialize_event(after)),
            ],
        )
        dead = await read_topic(
            servers.kafka_bootstrap_servers, f"{topic}.dlt", expect=2, timeout=40
        )
        effects = await wait_for_rows(servers, f'select count(*) from "{schema}".effect', 1)
    reasons = [dict(record.headers)["x-dead-letter-reason"].decode() for record in dead]
    assert len(dead) == 2
    assert reasons[0].startswith("malformed: not JSON")
    assert reasons[1].startswith("failed 3 times: ValueError('this school is poisoned on purpose')")
    assert dead[1].value == serialize_event(poison)
    assert effects == 1
    assert query(servers.database_url, f'select name from "{schema}".effect') == [
        ("Behind the poison",)
    ]
