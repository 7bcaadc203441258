"""At-least-once consumption made exactly-once in effect: inbox, bounded retries, dead letters."""

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

# Failures of the machinery rather than of the message: redeliver later instead of dead-lettering.
_TRANSIENT = (OperationalError, InterfaceError, KafkaError, ConnectionError, TimeoutError)


def _record(message: KafkaMessage) -> ConsumerRecord:
    record = message.raw_message
    assert isinstance(record, ConsumerRecord), "subscribers here take one record at a time"
    return record


def _transient(error: BaseException) -> bool:
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, _TRANSIENT)


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
        self.topics = sorted({topic_name(cls.stream, topic_prefix) for cls in handlers})
        self.broker = KafkaBroker(bootstrap_servers, logger=None)
        self.started = False

        async def on_message(message: KafkaMessage) -> None:
            await self.on_message(message)

        for topic in self.topics:
            self.broker.subscriber(
                topic,
                group_id=service,
                ack_policy=AckPolicy.MANUAL,
                auto_offset_reset="earliest",
                max_poll_records=100,
            )(on_message)

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

    async def on_message(self, message: KafkaMessage) -> None:
        try:
            await self._consume(message)
        except Exception as error:
            if not _transient(error):
                raise
            log.warning("will redeliver from %s: %s", _record(message).topic, error)
            await message.nack()
            await asyncio.sleep(1.0)
            return
        await message.ack()

    async def _consume(self, message: KafkaMessage) -> None:
        try:
            event = parse_event(message.body)
        except MalformedEvent as error:
            await self._dead_letter(message, f"malformed: {error}")
            return
        handlers = self.handlers.get(type(event))
        if not handlers:
            return
        parent = extract_context(message.headers)
        with tracer().start_as_current_span(
            f"{event.event_type} process",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.destination.name": event.topic(),
                "kulturbro.service": self.service,
            },
        ):
            correlation = context.correlation_id.set(event.correlation_id)
            causation = context.causation_id.set(event.event_id)
            try:
                await self._apply_with_retries(event, handlers, message)
            finally:
                context.correlation_id.reset(correlation)
                context.causation_id.reset(causation)

    async def _apply_with_retries(
        self, event: Event, handlers: Sequence[Handler], message: KafkaMessage
    ) -> None:
        for attempt in range(1, self.max_retries + 1):
            started = time.perf_counter()
            try:
                await self._apply(event, handlers)
            except Exception as error:
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
                    await self._dead_letter(message, f"failed {attempt} times: {error!r}")
                    return
                await asyncio.sleep(self.retry_backoff * 2 ** (attempt - 1))
            else:
                metrics.handler_seconds.labels(self.service, event.event_type, "ok").observe(
                    time.perf_counter() - started
                )
                return

    async def _apply(self, event: Event, handlers: Sequence[Handler]) -> None:
        async with self.unit_of_work() as uow:
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

    async def _dead_letter(self, message: KafkaMessage, reason: str) -> None:
        raw = _record(message)
        topic = raw.topic
        headers = dict(message.headers) | {
            "x-dead-letter-reason": reason[:2000],
            "x-dead-letter-consumer": self.service,
            "x-original-topic": topic,
            "x-original-partition": str(raw.partition),
            "x-original-offset": str(raw.offset),
        }
        await self.broker.publish(
            message.body, dead_letter_topic(topic), key=raw.key, headers=headers
        )
        metrics.dead_letters.labels(self.service, topic).inc()
        log.error("dead-lettered a message from %s: %s", topic, reason)

    async def record_lag(self) -> None:
        for subscriber in self.broker.subscribers:
            consumer = getattr(subscriber, "consumer", None)
            if consumer is None:
                continue
            for partition in consumer.assignment():
                highwater = consumer.highwater(partition)
                if highwater is None:
                    continue
                position = await consumer.position(partition)
                metrics.consumer_lag.labels(
                    self.service, partition.topic, str(partition.partition)
                ).set(max(highwater - position, 0))
