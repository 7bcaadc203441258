"""A running service's machinery: database, outbox relay and consumer, started together."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any

from kulturbro_runtime.consumer import EventConsumer, HandlerTable
from kulturbro_runtime.db import Database
from kulturbro_runtime.outbox_relay import OutboxRelay
from kulturbro_runtime.settings import ServiceSettings
from kulturbro_runtime.unit_of_work import UnitOfWork, unit_of_work

log = logging.getLogger(__name__)
LAG_INTERVAL_SECONDS = 5.0
STOP_STEP_SECONDS = 10.0


async def _bounded(what: str, stopping: Coroutine[Any, Any, None]) -> None:
    try:
        await asyncio.wait_for(stopping, STOP_STEP_SECONDS)
    except TimeoutError:
        log.warning("%s did not stop within %.0f s; leaving it", what, STOP_STEP_SECONDS)


class Runtime:
    def __init__(
        self,
        service: str,
        settings: ServiceSettings,
        handlers: HandlerTable,
        background: Sequence[Callable[["Runtime"], Coroutine[Any, Any, None]]] = (),
    ) -> None:
        self.background = background
        self.service = service
        self.settings = settings
        self.secret = settings.kulturbro_secret_key.get_secret_value()
        self.database = Database(
            settings.database_url, settings.db_schema or service, settings.database_pool_size
        )
        self.relay = OutboxRelay(
            service, self.database, settings.kafka_bootstrap_servers, settings.outbox_poll_seconds
        )
        self.consumer = (
            EventConsumer(
                service,
                handlers,
                self.unit_of_work,
                settings.kafka_bootstrap_servers,
                settings.topic_prefix,
                settings.consumer_max_retries,
                settings.consumer_retry_backoff_seconds,
            )
            if handlers
            else None
        )
        self._tasks: list[asyncio.Task[None]] = []

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        async with unit_of_work(self.database, self.settings, self.relay.wake) as uow:
            yield uow

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self.relay.run(), name="outbox-relay"))
        if self.consumer is not None:
            self._tasks.append(asyncio.create_task(self.consumer.start(), name="consumer-start"))
            self._tasks.append(asyncio.create_task(self._record_lag(), name="consumer-lag"))
        for job in self.background:
            self._tasks.append(asyncio.create_task(job(self), name=job.__name__))

    async def stop(self) -> None:
        """Each step bounded: a stop that hangs (a consumer cancelled while it was still joining
        its group can) would outlive the pod's grace period and be killed anyway, mid-step."""
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            done, stuck = await asyncio.wait(self._tasks, timeout=STOP_STEP_SECONDS)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    log.warning("%s had failed: %r", task.get_name(), task.exception())
            for task in stuck:
                log.warning("%s did not stop within %.0f s", task.get_name(), STOP_STEP_SECONDS)
        if self.consumer is not None:
            await _bounded("the consumer", self.consumer.stop())
        await _bounded("the outbox relay", self.relay.stop())
        await self.database.dispose()

    async def readiness(self) -> dict[str, bool]:
        checks = {"database": True, "consumer": self.consumer is None or self.consumer.started}
        try:
            await asyncio.wait_for(self.database.ping(), timeout=2.0)
        except Exception as error:
            log.warning("database not reachable: %s", error)
            checks["database"] = False
        return checks

    async def _record_lag(self) -> None:
        assert self.consumer is not None
        while True:
            await asyncio.sleep(LAG_INTERVAL_SECONDS)
            with contextlib.suppress(Exception):
                await self.consumer.record_lag()
