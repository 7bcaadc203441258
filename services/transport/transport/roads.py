"""Road distances and driving times from an OSRM server's `table` API, handed to the planning as
a matrix; where no server is configured, or it fails, the straight-line estimate (a warning
logged and counted, so that an operator sees plans made without the roads)."""

import logging
from collections.abc import Sequence
from typing import Any, Protocol

import httpx
from prometheus_client import Counter

from kulturbro_runtime import ServiceSettings
from transport.domain import MeasuredTravel, Place, StraightLineTravel, Travel, TravelMatrix
from transport.settings import TransportSettings

log = logging.getLogger(__name__)

osrm_failures = Counter(
    "kulturbro_osrm_failures_total",
    "OSRM table requests that failed, so that a day was planned on the straight line",
)


class Roads(Protocol):
    async def travel(self, places: Sequence[Place], estimate: StraightLineTravel) -> Travel:
        """The travel between the places: measured where it can be, else the estimate."""


class StraightRoads:
    async def travel(self, places: Sequence[Place], estimate: StraightLineTravel) -> Travel:
        return estimate


class OsrmRoads:
    def __init__(self, url: str, timeout_seconds: float = 5.0) -> None:
        self.url, self.timeout = url.rstrip("/"), timeout_seconds

    async def travel(self, places: Sequence[Place], estimate: StraightLineTravel) -> Travel:
        if len(places) < 2:
            return estimate
        try:
            measured = await self.table(places)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            osrm_failures.inc()
            log.warning(
                "OSRM at %s failed (%s): planning on the straight line x %s instead",
                self.url,
                error,
                estimate.road_factor,
            )
            return estimate
        return MeasuredTravel(tuple(places), measured, estimate)

    async def table(self, places: Sequence[Place]) -> TravelMatrix:
        """Metres and seconds between every two places, by road (OSRM's table service)."""
        coordinates = ";".join(f"{p.longitude:.6f},{p.latitude:.6f}" for p in places)
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            answer = await client.get(
                f"{self.url}/table/v1/driving/{coordinates}",
                params={"annotations": "distance,duration"},
            )
        answer.raise_for_status()
        body = answer.json()
        if body.get("code") != "Ok":
            raise ValueError(f"OSRM answered {body.get('code')}: {body.get('message', '')}")
        return TravelMatrix(
            _square(body["distances"], len(places)), _square(body["durations"], len(places))
        )


def _square(rows: Any, size: int) -> list[list[int]]:
    """OSRM's rows as whole numbers; a missing route (null) makes the whole answer unusable."""
    if len(rows) != size or any(len(row) != size for row in rows):
        raise ValueError(f"OSRM answered a table of {len(rows)} rows for {size} places")
    if any(value is None for row in rows for value in row):
        raise ValueError("OSRM found no road between some of the places")
    return [[round(float(value)) for value in row] for row in rows]


def roads_of(settings: ServiceSettings) -> Roads:
    if isinstance(settings, TransportSettings) and settings.osrm_url:
        return OsrmRoads(settings.osrm_url, settings.osrm_timeout_seconds)
    return StraightRoads()
