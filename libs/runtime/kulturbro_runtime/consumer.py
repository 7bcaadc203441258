"""At-least-once consumption made exactly-once in effect: inbox, bounded retries, dead letters.

Records arrive in batches. A batch is applied in one transaction, each event in a savepoint of
its own with its inbox row, and the offsets are committed once the transaction has: a crash
anywhere redelivers the batch, and the inbox skips what had already committed. Consecutive events
of a type whose handlers are all `Batched` are applied together in one savepoint (one inbox
statement, one call of each handler); if that fails they are applied again one by one, so a
failing event is retried and dead-lettered alone as any other.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Batched:
    """A handler that takes a run of consecutive events of its type at once, in the order
    received, each new to this consumer. It publishes with each event's own correlation (the
    consumer sets none for a run), and must have the effect of taking them one at a time: after
    a failure it is called again with one event at a time."""

    handle: Callable[[Sequence[Any], UnitOfWork], Awaitable[None]]

    async def __call__(self, event: Event, uow: UnitOfWork) -> None:
        await self.handle([event], uow)


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
Run = list[tuple[ConsumerRecord, Event]]  # consecutive records of one type for Batched handlers


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
                run: Run = []
                for record in records:
                    if _waits(record, waiting):
                        waiting.append(record)
                        continue
                    event = _parsed(record)
                    if event is not None and not self.handlers.get(type(event)):
                        continue  # nothing here reacts to it: it neither breaks a run nor waits
                    batched = event is not None and self._batched(event)
                    if run and (not batched or type(event) is not type(run[0][1])):
                        await self._consume_run(run, uow, waiting)
                        run = []
                    if batched:
                        assert event is not None
                        run.append((record, event))
                        continue
                    try:
                        await self._consume(record, uow, event)
                    except NotYet:
                        waiting.append(record)
                await self._consume_run(run, uow, waiting)
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

    def _batched(self, event: Event) -> bool:
        handlers = self.handlers.get(type(event))
        return bool(handlers) and all(isinstance(h, Batched) for h in handlers or ())

    async def _consume_run(
        self,
        run: list[tuple[ConsumerRecord, Event]],
        uow: UnitOfWork,
        waiting: list[ConsumerRecord],
    ) -> None:
        """A run of events for batched handlers in one savepoint; one by one if that fails."""
        if len(run) > 1:
            event_type = run[0][1].event_type
            started = time.perf_counter()
            with tracer().start_as_current_span(
                f"{event_type} process",
                kind=SpanKind.CONSUMER,
                attributes={
                    "messaging.destination.name": run[0][0].topic,
                    "messaging.batch.message_count": len(run),
                    "kulturbro.service": self.service,
                },
            ):
                try:
                    async with uow.session.begin_nested():
                        await self._apply_run([event for _, event in run], uow)
                except Exception as error:
                    uow.cache.clear()
                    if _transient(error) and not isinstance(error, NotYet):
                        raise
                    log.info("applying %d %s one by one: %r", len(run), event_type, error)
                else:
                    metrics.handler_seconds.labels(self.service, event_type, "ok").observe(
                        time.perf_counter() - started
                    )
                    return
        for record, event in run:
            if _waits(record, waiting):
                waiting.append(record)
                continue
            try:
                await self._consume(record, uow, event)
            except NotYet:
                waiting.append(record)

    async def _apply_run(self, events: list[Event], uow: UnitOfWork) -> None:
        first_time = set(
            await uow.session.scalars(
                insert(inbox)
                .values(
                    [
                        {
                            "consumer": self.service,
                            "event_id": e.event_id,
                            "event_type": e.event_type,
                        }
                        for e in events
                    ]
                )
                .on_conflict_do_nothing()
                .returning(inbox.c.event_id)
            )
        )
        fresh: list[Event] = []
        for event in events:  # an event delivered twice in one run counts once
            if event.event_id in first_time:
                first_time.discard(event.event_id)
                fresh.append(event)
        if fresh:
            for handler in self.handlers[type(fresh[0])]:
                assert isinstance(handler, Batched)
                await handler.handle(fresh, uow)

    async def _consume(
        self, record: ConsumerRecord, uow: UnitOfWork, event: Event | None = None
    ) -> None:
        """One record in a savepoint of its own (`event`: the record's, if already parsed)."""
        if event is None:
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


def _parsed(record: ConsumerRecord) -> Event | None:
    """The record's event; None if malformed (it is dead-lettered when consumed)."""
    try:
        return parse_event(record.value)
    except MalformedEvent:
        return None


def _waits(record: ConsumerRecord, waiting: Sequence[ConsumerRecord]) -> bool:
    return any(w.topic == record.topic and w.key == record.key for w in waiting)


def merge_handlers(*tables: HandlerTable) -> HandlerTable:
    """One subscription table from several, e.g. a service's own and the replicas it keeps."""
    merged: dict[type[Event], list[Handler]] = {}
    for table in tables:
        for event_type, handlers in table.items():
            merged.setdefault(event_type, []).extend(handlers)
    return merged
