"""Moves committed outbox rows to Kafka in order, marking them once the broker has them."""

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select, text

from kulturbro_runtime import metrics
from kulturbro_runtime.db import Database
from kulturbro_runtime.messaging_tables import outbox

log = logging.getLogger(__name__)
LINGER_SECONDS = 0.01


class OutboxRelay:
    def __init__(
        self,
        service: str,
        database: Database,
        bootstrap_servers: str,
        poll_seconds: float,
        batch_size: int = 500,
    ) -> None:
        self.service = service
        self.database = database
        self.bootstrap_servers = bootstrap_servers
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self._wake = asyncio.Event()
        self._producer: AIOKafkaProducer | None = None

    def wake(self) -> None:
        """Called after a commit in this process, so its events leave now, not at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        backoff = self.poll_seconds
        while True:
            try:
                published = await self.publish_pending()
                backoff = self.poll_seconds
            except Exception as error:  # the broker or database is away: keep the rows, try again
                log.warning("outbox relay waiting for the broker: %s", error)
                await self._drop_producer()
                backoff = min(backoff * 2, 10.0)
                await asyncio.sleep(backoff)
                continue
            if published == self.batch_size:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
                # Under load many commits wake the relay at once: one pass takes them all.
                await asyncio.sleep(LINGER_SECONDS)

    async def publish_pending(self) -> int:
        async with self.database.engine.begin() as connection:
            # One relay per schema at a time keeps each key's events in the order they were written.
            locked = await connection.scalar(
                text("select pg_try_advisory_xact_lock(hashtext('outbox:' || :schema))"),
                {"schema": self.database.schema},
            )
            if not locked:
                metrics.outbox_oldest_seconds.labels(self.service).set(0)  # the holder tells
                return 0
            rows = (
                await connection.execute(
                    select(
                        outbox.c.id,
                        outbox.c.topic,
                        outbox.c.key,
                        outbox.c.body,
                        outbox.c.headers,
                        outbox.c.created_at,
                    )
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.id)
                    .limit(self.batch_size)
                )
            ).all()
            # Told before sending, so events waiting for a broker that is away are seen to age.
            metrics.outbox_oldest_seconds.labels(self.service).set(
                (datetime.now(UTC) - rows[0].created_at).total_seconds() if rows else 0
            )
            if rows:
                producer = await self._connected_producer()
                deliveries = [
                    await producer.send(
                        row.topic,
                        row.body.encode(),
                        key=row.key.encode(),
                        headers=[(k, v.encode()) for k, v in row.headers.items()],
                    )
                    for row in rows
                ]
                await asyncio.gather(*deliveries)
                await connection.execute(
                    outbox.update()
                    .where(outbox.c.id.in_([row.id for row in rows]))
                    .values(published_at=func.now())
                )
                metrics.outbox_published.labels(self.service).inc(len(rows))
            # A full batch leaves more behind; only then is the backlog worth counting.
            backlog = (
                await connection.scalar(
                    select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
                )
                if len(rows) == self.batch_size
                else 0
            )
            metrics.outbox_backlog.labels(self.service).set(backlog or 0)
            return len(rows)

    async def _connected_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap_servers,
                acks="all",
                linger_ms=2,
                request_timeout_ms=10_000,
            )
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                await producer.stop()
            except Exception as error:
                log.debug("producer did not stop cleanly: %s", error)

    async def stop(self) -> None:
        await self._drop_producer()
