"""Runs every benchmark against real servers (from the environment, else embedded)."""

import asyncio
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench import allocation_fairness, booking_throughput, event_bus, notify_fanout
from kulturbro_devstack.testing import start_servers


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    with ExitStack() as stack, tempfile.TemporaryDirectory() as workdir:
        servers = start_servers(stack, Path(workdir))
        asyncio.run(event_bus.run(servers, events))
        asyncio.run(booking_throughput.run(servers, 2_000))
        asyncio.run(notify_fanout.run(servers, notify_fanout.TEACHERS, Path(workdir)))
    allocation_fairness.main()


main()
