"""Each municipality's open-indicator counts per school year, kept until one of its facts is
newer, and refreshed in the background: the national table computes all 290 municipalities once
(seconds), which no caller should wait for."""

import asyncio
import logging
from datetime import UTC, datetime
from weakref import WeakKeyDictionary

from kulturbro_runtime.runtime import Runtime
from stats.domain.figures import Municipality, Period
from stats.domain.indicators import AreaCounts, area_counts
from stats.reading import StatsReader

log = logging.getLogger(__name__)

# (municipality, school year) -> (fresh as of, counts), per running service.
Kept = dict[tuple[str, str], tuple[datetime, AreaCounts]]
_KEPT: "WeakKeyDictionary[Runtime, Kept]" = WeakKeyDictionary()
NEVER = datetime.min.replace(tzinfo=UTC)  # the freshness of a municipality with no facts yet
REFRESH_EVERY_SECONDS = 30
YEARS_KEPT_FRESH = 2  # the latest school years: the current one and the one before
CHUNK = 10  # municipalities computed between two turns of the event loop's other work


def kept_for(runtime: Runtime) -> Kept:
    return _KEPT.setdefault(runtime, {})


async def refresh(
    reader: StatsReader, kept: Kept, municipalities: list[str], school_year: str, now: datetime
) -> dict[str, datetime]:
    """The counts of every municipality given whose facts changed since they were kept; returns
    every municipality's freshness."""
    freshness = await reader.freshness()
    stale = [
        m
        for m in municipalities
        if kept.get((m, school_year), (None,))[0] != freshness.get(m, NEVER)
    ]
    for first in range(0, len(stale), CHUNK):
        for key, facts in (await reader.facts_of(stale[first : first + CHUNK])).items():
            counts = area_counts(Municipality(facts, Period(school_year), now))
            kept[key, school_year] = freshness.get(key, NEVER), counts
        await asyncio.sleep(0)  # the consumer and HTTP requests go on between chunks
    return freshness


async def keep_fresh(runtime: Runtime) -> None:
    """A background job: every municipality's counts for the latest school years, recomputed
    where something changed, so the open table is ready before anyone asks."""
    while True:
        try:
            async with runtime.database.sessions() as session:
                reader = StatsReader(session)
                everyone = [m.municipality_id for m in await reader.municipalities()]
                for year in (await reader.school_years())[-YEARS_KEPT_FRESH:]:
                    await refresh(reader, kept_for(runtime), everyone, year, datetime.now(UTC))
        except Exception:
            log.exception("could not refresh the open indicators; trying again shortly")
        await asyncio.sleep(REFRESH_EVERY_SECONDS)
