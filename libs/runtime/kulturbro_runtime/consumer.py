"""At-least-once consumption made exactly-once in effect: inbox, bounded retries, dead letters.

Records arrive in batches. A batch is applied in one transaction, each event in a savepoint of
its own with its inbox row, and the offsets are committed once the transaction has: a crash
anywhere redelivers the batch, and the inbox skips what had already committed.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from opentelemetry.trace import SpanKind
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from kulturbro_contracts import Event, MalformedEvent, dead_letter_topic, parse_event, topic_name
from kulturbro_runtime import context, metrics
from kulturbro_runtime.messaging_tables import inbox
from kulturbro_runtime.telemetry import extract_context, tracer
from kulturbro_runtime.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[Any, UnitOfWork], Awaitable[None]]
HandlerTable = Mapping[type[Event], Sequence[Handler]]
UnitOfWorkFactory = Callable[[], Any]  # an async context manager yielding a UnitOfWork
BATCH_SIZE = 200


def consumed_topics(handlers: HandlerTable, topic_prefix: str) -> list[str]:
    """The topics a service with these handlers reads, as its consumer group `service`."""
    return sorted({topic_name(cls.stream, topic_prefix) for cls in handlers})


class NotYet(Exception):
    """A handler needs a fact that has not arrived yet (it travels on another topic): the
    message is delivered again later instead of being dead-lettered."""


# Failures of the machinery rather than of the message: redeliver later instead of dead-lettering.
_TRANSIENT = (OperationalError, InterfaceError, KafkaError, ConnectionError, TimeoutError, NotYet)


def _transient(error: BaseException) -> bool:
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, _TRANSIENT)


def _headers(record: ConsumerRecord) -> dict[str, str]:
    return {key: value.decode(errors="replace") for key, value in record.headers or ()}


Partition = tuple[str, int]


class WaitingAge:
    """How long the oldest record a partition holds for the group has waited, without reading it.

    It came after the newest record consumed, and after the last moment the group was seen
    caught up, so the later of the two bounds its age from above (tight while records flow,
    within the sampling interval after a quiet spell). With neither known yet (behind since the
    start, nothing consumed), its age is at least the time since the start.
    """

    def __init__(self, now: float) -> None:
        self.started = now
        self.consumed: dict[Partition, float] = {}
        self.caught_up: dict[Partition, float] = {}

    def consume(self, partition: Partition, timestamp_ms: int) -> None:
        if timestamp_ms >= 0:  # -1: the record carries no time
            seconds = timestamp_ms / 1000
            self.consumed[partition] = max(seconds, self.consumed.get(partition, seconds))

    def seconds(self, partition: Partition, lag: int, now: float) -> float:
        if lag <= 0:
            self.caught_up[partition] = now
            return 0.0
        known = [
            m
            for m in (self.consumed.get(partition), self.caught_up.get(partition))
            if m is not None
        ]
        return max(now - (max(known) if known else self.started), 0.0)


class EventConsumer:
    def __init__(
        self,
        service: str,
        handlers: HandlerTable,
        unit_of_work: UnitOfWorkFactory,
        bootstrap_servers: str,
        topic_prefix: str,
        max_retries: int,
        retry_backoff: float,
    ) -> None:
        self.service = service
        self.handlers = handlers
        self.unit_of_work = unit_of_work
        self.max_retries = max_retries
        self.retry_backoff = retry_backoff
        self.topics = consumed_topics(handlers, topic_prefix)
        self.broker = KafkaBroker(bootstrap_servers, logger=None)
        self.started = False
        self.waiting = WaitingAge(time.time())

        async def on_batch(message: KafkaMessage) -> None:
            await self.on_batch(message)

        # One consumer for all the service's topics: one group member, so one rebalance at start.
        if self.topics:
            self.broker.subscriber(
                *self.topics,
                group_id=service,
                batch=True,
                max_records=BATCH_SIZE,
                ack_policy=AckPolicy.MANUAL,
                auto_offset_reset="earliest",
            )(on_batch)

    async def start(self) -> None:
        """Connect, retrying while the broker is away, so the service itself comes up regardless."""
        delay = 0.5
        while True:
            try:
                await self.broker.start()
                self.started = True
                return
            except Exception as error:
                log.warning("consumer waiting for the broker: %s", error)
                await self.broker.stop()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def stop(self) -> None:
        self.started = False
        await self.broker.stop()

    async def on_batch(self, message: KafkaMessage) -> None:
        records: tuple[ConsumerRecord, ...] = message.raw_message  # type: ignore[assignment]
        try:
            async with self.unit_of_work() as uow:
                # A fact that needs another not yet applied (it travels on another topic) waits
                # for the rest of the batch, and so does whatever follows it under its key.
                waiting: list[ConsumerRecord] = []
                for record in records:
                    if any(w.topic == record.topic and w.key == record.key for w in waiting):
                        waiting.append(record)
                        continue
                    try:
                        await self._consume(record, uow)
                    except NotYet:
                        waiting.append(record)
                for record in waiting:
                    await self._consume(record, uow)
        except Exception as error:
            if not _transient(error):
                raise
            log.warning("will redeliver %d records: %s", len(records), error)
            await message.nack()
            await asyncio.sleep(1.0)
            return
        await message.ack()
        for record in records:
            self.waiting.consume((record.topic, record.partition), record.timestamp)

    async def _consume(self, record: ConsumerRecord, uow: UnitOfWork) -> None:
        try:
            event = parse_event(record.value)
        except MalformedEvent as error:
            await self._dead_letter(record, f"malformed: {error}")
            return
        handlers = self.handlers.get(type(event))
        if not handlers:
            return
        with tracer().start_as_current_span(
            f"{event.event_type} process",
            context=extract_context(_headers(record)),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.destination.name": record.topic,
                "kulturbro.service": self.service,
            },
        ):
            correlation = context.correlation_id.set(event.correlation_id)
            causation = context.causation_id.set(event.event_id)
            try:
                await self._apply_with_retries(event, handlers, record, uow)
            finally:
                context.correlation_id.reset(correlation)
                context.causation_id.reset(causation)

    async def _apply_with_retries(
        self, event: Event, handlers: Sequence[Handler], record: ConsumerRecord, uow: UnitOfWork
    ) -> None:
        for attempt in range(1, self.max_retries + 1):
            started = time.perf_counter()
            try:
                async with uow.session.begin_nested():
                    await self._apply(event, handlers, uow)
            except Exception as error:
                uow.cache.clear()
                metrics.handler_seconds.labels(self.service, event.event_type, "error").observe(
                    time.perf_counter() - started
                )
                if _transient(error):
                    raise
                metrics.handler_errors.labels(self.service, event.event_type).inc()
                log.warning(
                    "handler failed (attempt %d of %d): %r",
                    attempt,
                    self.max_retries,
                    error,
                    extra={"event_id": str(event.event_id), "event_type": event.event_type},
                )
                if attempt == self.max_retries:
                    await self._dead_letter(record, f"failed {attempt} times: {error!r}")
                    return
                await asyncio.sleep(self.retry_backoff * 2 ** (attempt - 1))
            else:
                metrics.handler_seconds.labels(self.service, event.event_type, "ok").observe(
                    time.perf_counter() - started
                )
                return

    async def _apply(self, event: Event, handlers: Sequence[Handler], uow: UnitOfWork) -> None:
        first_time = await uow.session.execute(
            insert(inbox)
            .values(consumer=self.service, event_id=event.event_id, event_type=event.event_type)
            .on_conflict_do_nothing()
            .returning(inbox.c.event_id)
        )
        if first_time.first() is None:
            return  # a redelivery: its effects are already committed
        for handler in handlers:
            await handler(event, uow)

    async def _dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        headers = _headers(record) | {
            "x-dead-letter-reason": reason[:2000],
            "x-dead-letter-consumer": self.service,
            "x-original-topic": record.topic,
            "x-original-partition": str(record.partition),
            "x-original-offset": str(record.offset),
        }
        await self.broker.publish(
            record.value, dead_letter_topic(record.topic), key=record.key, headers=headers
        )
        metrics.dead_letters.labels(self.service, record.topic).inc()
        log.error("dead-lettered a message from %s: %s", record.topic, reason)

    async def record_lag(self) -> None:
        now = time.time()
        for subscriber in self.broker.subscribers:
            consumer = getattr(subscriber, "consumer", None)
            if consumer is None:
                continue
            for partition in consumer.assignment():
                highwater = consumer.highwater(partition)
                if highwater is None:
                    continue
                position = await consumer.position(partition)
                lag = max(highwater - position, 0)
                labels = (self.service, partition.topic, str(partition.partition))
                metrics.consumer_lag.labels(*labels).set(lag)
                waited = self.waiting.seconds((partition.topic, partition.partition), lag, now)
                metrics.consumer_oldest_seconds.labels(*labels).set(waited)


def merge_handlers(*tables: HandlerTable) -> HandlerTable:
    """One subscription table from several, e.g. a service's own and the replicas it keeps."""
    merged: dict[type[Event], list[Handler]] = {}
    for table in tables:
        for event_type, handlers in table.items():
            merged.setdefault(event_type, []).extend(handlers)
    return merged
