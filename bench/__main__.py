"""Runs every benchmark against real servers (from the environment, else embedded).

`python -m bench [EVENTS]` at full size; `python -m bench --smoke` at a size that takes seconds
each, so that CI (`make bench-smoke`) notices a change that stops a benchmark from running.
"""

import argparse
import asyncio
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from bench import (
    allocation_fairness,
    booking_load,
    booking_throughput,
    event_bus,
    notify_fanout,
    outreach,
    stats_projection,
    transport_day,
    web_pages,
)
from kulturbro_devstack.testing import start_servers


@dataclass(frozen=True)
class Sizes:
    events: int
    bookings: int
    opening: int  # teachers booking a popular event through the gateway
    teachers: int
    fairness_scale: float
    web: tuple[int, int, int]  # events, groups, requests a page
    stats: stats_projection.Scale


FULL = Sizes(
    5_000,
    booking_throughput.REQUESTS,
    booking_load.TEACHERS,
    notify_fanout.TEACHERS,
    1.0,
    (web_pages.EVENTS, web_pages.GROUPS, web_pages.REQUESTS),
    stats_projection.FULL,
)
SMOKE = Sizes(
    events=500,
    bookings=100,
    opening=booking_load.SMOKE_TEACHERS,
    teachers=200,
    fairness_scale=0.1,
    web=(50, 500, 20),
    stats=stats_projection.SMOKE,
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("events", nargs="?", type=int, default=FULL.events, help="event bus")
    parser.add_argument("--smoke", action="store_true", help="every benchmark, small and quick")
    arguments = parser.parse_args()
    sizes = SMOKE if arguments.smoke else replace(FULL, events=arguments.events)
    with ExitStack() as stack, tempfile.TemporaryDirectory() as workdir:
        servers = start_servers(stack, Path(workdir))
        asyncio.run(event_bus.run(servers, sizes.events))
        asyncio.run(booking_throughput.run(servers, sizes.bookings))
        asyncio.run(booking_load.run(servers, sizes.opening))
        asyncio.run(notify_fanout.run(servers, sizes.teachers, 1, Path(workdir)))
        asyncio.run(web_pages.run(servers, *sizes.web))
        asyncio.run(stats_projection.run(servers, sizes.events, sizes.stats))
    allocation_fairness.main(sizes.fairness_scale)
    outreach.main(sizes.fairness_scale, 3 if arguments.smoke else 10)
    transport_day.main(transport_day.SMOKE if arguments.smoke else transport_day.FULL)


main()
