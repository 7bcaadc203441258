"""Keeping personal data no longer than needed: each service's erasing jobs, run on a schedule.

A job erases, in one unit of work, what its period has run out for, and tells the others with an
event when they keep copies. Periods are the services' settings (PRIVACY.md lists them)."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.settings import ServiceSettings
from kulturbro_runtime.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# Erases what has run out by `now`; says how many records it erased.
RetentionJob = Callable[[UnitOfWork, Any, datetime], Awaitable[int]]


def kept_since(now: datetime, days: int) -> datetime:
    """The oldest moment still kept: what happened before it is erased. A period of N days keeps
    a record through the whole of its Nth day, to the second."""
    return now - timedelta(days=days)


async def run_retention(
    runtime: Runtime, jobs: Sequence[RetentionJob], now: datetime
) -> dict[str, int]:
    """Each job once, each in a transaction of its own."""
    erased: dict[str, int] = {}
    for job in jobs:
        async with runtime.unit_of_work() as uow:
            erased[job.__name__] = await job(uow, runtime.settings, now)
    return erased


def retention_task(
    *jobs: RetentionJob,
) -> Callable[[Runtime], Coroutine[Any, Any, None]]:
    """A background job of the service (`Service.background`) running `jobs` every
    RETENTION_INTERVAL_SECONDS, from the service's start."""

    async def keep_only_as_long_as_needed(runtime: Runtime) -> None:
        settings: ServiceSettings = runtime.settings
        while True:
            try:
                erased = await run_retention(runtime, jobs, datetime.now(UTC))
                if any(erased.values()):
                    log.info("retention erased %s", erased)
            except Exception:
                log.exception("a retention job failed; trying again at the next interval")
            await asyncio.sleep(settings.retention_interval_seconds)

    return keep_only_as_long_as_needed
