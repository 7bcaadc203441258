"""The event backbone's throughput: outbox to Kafka, and Kafka through the inbox to a handler.

Beside each, in the same run, the bare aiokafka rate on the same broker (producing with acks=all;
consuming and parsing each event, committing offsets per batch), and the ratio: these machines
are shared, so only ratios are stable.
"""

import asyncio
import time
import uuid
from pathlib import Path

import psycopg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from kulturbro_contracts import SchoolRegistered, parse_event, serialize_event
from kulturbro_contracts.directory import School
from kulturbro_contracts.vocabulary import UnitKind
from kulturbro_devstack.testing import Servers, service_env
from kulturbro_runtime import Service, UnitOfWork
from kulturbro_runtime.db import driver_url
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.settings import settings_from
from kulturbro_runtime.topics import all_topics, create_topics

TRANSACTION_SIZE = 100


class Progress:
    def __init__(self, expected: int) -> None:
        self.expected, self.handled = expected, 0
        self.first, self.last = asyncio.Event(), asyncio.Event()

    def record(self) -> None:
        self.handled += 1
        self.first.set()
        if self.handled >= self.expected:
            self.last.set()


progress = Progress(0)


async def count(event: SchoolRegistered, uow: UnitOfWork) -> None:
    progress.record()


BENCH = Service(
    name="bench",
    description="benchmark",
    migrations=Path(__file__).with_name("outbox_versions"),
    handlers={SchoolRegistered: [count]},
)


def a_school(number: int) -> SchoolRegistered:
    school = School(unit_id=uuid.uuid4(), name=f"School {number}", kind=UnitKind.SCHOOL)
    return SchoolRegistered(municipality_id=f"m{number % 50}", payload=school)


def _pending(url: str, schema: str) -> int:
    with psycopg.connect(url, autocommit=True) as connection:
        sql = f'select count(*) from "{schema}".outbox where published_at is null'
        row = connection.execute(sql).fetchone()
        return int(row[0]) if row else 0


async def _bare_rates(
    servers: Servers, topic: str, events: list[SchoolRegistered]
) -> tuple[float, float]:
    producer = AIOKafkaProducer(
        bootstrap_servers=servers.kafka_bootstrap_servers, acks="all", linger_ms=2
    )
    await producer.start()
    started = time.perf_counter()
    try:
        sends = [
            await producer.send(topic, serialize_event(e), key=e.key().encode()) for e in events
        ]
        await asyncio.gather(*sends)
    finally:
        await producer.stop()
    produce_rate = len(events) / (time.perf_counter() - started)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=servers.kafka_bootstrap_servers,
        group_id=f"bare-{uuid.uuid4()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    got, started = 0, 0.0
    try:
        while got < len(events):
            batches = await consumer.getmany(timeout_ms=500)
            if not started and batches:
                started = time.perf_counter()
            for batch in batches.values():
                got += sum(1 for record in batch if parse_event(record.value))
            await consumer.commit()
    finally:
        await consumer.stop()
    return produce_rate, got / (time.perf_counter() - started)


async def run(servers: Servers, count_events: int) -> None:
    global progress
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    await create_topics(servers.kafka_bootstrap_servers, all_topics(prefix))
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    settings = settings_from(BENCH.settings_class, service_env(servers, prefix, schema))
    BENCH.migrate(settings)
    events = [a_school(n) for n in range(count_events)]
    database_url = driver_url(servers.database_url).replace(
        "postgresql+psycopg://", "postgresql://"
    )

    publisher = Runtime("bench-publisher", settings, handlers={})
    started = time.perf_counter()
    for first in range(0, count_events, TRANSACTION_SIZE):
        async with publisher.unit_of_work() as uow:
            for event in events[first : first + TRANSACTION_SIZE]:
                await uow.publish(event)
    written = time.perf_counter() - started
    await publisher.start()
    while True:
        if not _pending(database_url, schema):
            break
        await asyncio.sleep(0.05)
    relayed = time.perf_counter() - started - written
    await publisher.stop()

    progress = Progress(count_events)
    consumer = Runtime("bench", settings, handlers=BENCH.handlers)
    await consumer.start()
    await progress.first.wait()
    started = time.perf_counter()
    await progress.last.wait()
    consumed = time.perf_counter() - started
    await consumer.stop()

    bare_produce, bare_consume = await _bare_rates(servers, f"{prefix}.catalog.v1", events)
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(f'drop schema "{schema}" cascade')

    relay_rate, inbox_rate = count_events / relayed, count_events / consumed
    rows = [
        ("outbox write (state + event in one commit)", count_events / written, None),
        ("outbox relay to Kafka, acks=all", relay_rate, bare_produce),
        ("consume: inbox + handler, a savepoint each", inbox_rate, bare_consume),
    ]
    print(f"\nEvent bus, {count_events} events ({TRANSACTION_SIZE} per transaction)\n")
    print(f"| {'measure':<44} | {'events/s':>9} | {'bare aiokafka':>13} | {'ratio':>5} |")
    print(f"|{'-' * 46}|{'-' * 11}|{'-' * 15}|{'-' * 7}|")
    for name, rate, bare in rows:
        versus = f"{bare:>13.0f} | {rate / bare:>5.2f}" if bare else f"{'':>13} | {'':>5}"
        print(f"| {name:<44} | {rate:>9.0f} | {versus} |")
