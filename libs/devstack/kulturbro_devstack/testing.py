"""Shared pytest fixtures: real servers, and topics and schemas of each test's own.

Servers are found in this order: URLs from the environment; else, where a Docker engine answers,
testcontainers with the images production uses; else the embedded servers of `kulturbro dev`.
"""

import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from kulturbro_runtime import Service, ServiceSettings
from kulturbro_runtime.db import driver_url
from kulturbro_runtime.settings import settings_from
from kulturbro_runtime.topics import all_topics, create_topics


@dataclass(frozen=True)
class Servers:
    database_url: str
    redis_url: str
    kafka_bootstrap_servers: str


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def start_servers(stack: ExitStack, workdir: Path) -> Servers:
    """Find or start the servers; `stack` stops what was started."""
    env = os.environ
    database_url, redis_url = env.get("DATABASE_URL"), env.get("REDIS_URL")
    bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS")
    docker = not (database_url and redis_url and bootstrap) and _docker_answers()
    if docker:
        from testcontainers.kafka import KafkaContainer
        from testcontainers.postgres import PostgresContainer
        from testcontainers.redis import RedisContainer

        if not database_url:
            pg = stack.enter_context(PostgresContainer("postgres:16", driver=None))
            database_url = pg.get_connection_url()
        if not redis_url:
            rd = stack.enter_context(RedisContainer("redis:7"))
            redis_url = f"redis://{rd.get_container_host_ip()}:{rd.get_exposed_port(6379)}/0"
        if not bootstrap:
            kafka = stack.enter_context(KafkaContainer("apache/kafka:3.9.0").with_kraft())
            bootstrap = kafka.get_bootstrap_server()
    from kulturbro_devstack import kafka as embedded_kafka
    from kulturbro_devstack import postgres, redis

    if not database_url:
        database_url = stack.enter_context(postgres.start_postgres(workdir / "postgres")).url
    if not redis_url:
        redis_url = stack.enter_context(redis.start_redis()).url
    if not bootstrap:
        bootstrap = stack.enter_context(embedded_kafka.start_kafka()).bootstrap_servers
    return Servers(database_url, _workers_own(redis_url), bootstrap)


def _workers_own(redis_url: str) -> str:
    """Under pytest-xdist (`make test` runs two workers), each worker's own Redis database: the
    gateway's rate limits count per network address, and every worker's requests come from
    127.0.0.1, so one worker's sign-ins would use up another's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return redis_url
    url = urlsplit(redis_url)
    database = int(url.path.strip("/") or 0) + 1 + int(worker[2:])
    return urlunsplit(url._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with ExitStack() as stack:
        yield start_servers(stack, tmp_path_factory.mktemp("servers"))


@pytest.fixture
async def topic_prefix(servers: Servers) -> str:
    """Topics of this test's own, so tests never see each other's messages."""
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    await create_topics(servers.kafka_bootstrap_servers, all_topics(prefix))
    return prefix


@pytest.fixture
def new_schema(servers: Servers) -> Iterator[Callable[[str], str]]:
    """Schema names of this test's own, dropped afterwards."""
    made: list[str] = []

    def make(service: str) -> str:
        made.append(f"{service}_{uuid.uuid4().hex[:10]}")
        return made[-1]

    yield make
    url = driver_url(servers.database_url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        for schema in made:
            connection.execute(f'drop schema if exists "{schema}" cascade')


def service_env(servers: Servers, topic_prefix: str, schema: str, **extra: str) -> dict[str, str]:
    """The environment a service process gets in a test."""
    return {
        "KULTURBRO_ENV": "test",
        "KULTURBRO_SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": servers.database_url,
        "REDIS_URL": servers.redis_url,
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka_bootstrap_servers,
        "TOPIC_PREFIX": topic_prefix,
        "DB_SCHEMA": schema,
        "OUTBOX_POLL_SECONDS": "0.2",
        "CONSUMER_RETRY_BACKOFF_SECONDS": "0.05",
    } | extra


TEST_SECRET = "a-test-secret-that-is-long-enough-to-use"


def service_settings(service: Service, env: dict[str, str]) -> ServiceSettings:
    return settings_from(service.settings_class, env)


@asynccontextmanager
async def running(
    service: Service, settings: ServiceSettings, client_address: str = "127.0.0.1"
) -> AsyncIterator[httpx.AsyncClient]:
    """The service migrated and running in this process, with an HTTP client for its API."""
    service.migrate(settings)
    app = service.create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(client_address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


def identity_headers(
    role: str,
    municipality_id: str | None,
    subject: str = "tester",
    organizer_id: str | None = None,
) -> dict[str, str]:
    """The header the gateway would add for a signed-in caller."""
    from kulturbro_runtime.identity import IDENTITY_HEADER, Caller, Role, sign_identity

    caller = Caller(
        subject=subject, role=Role(role), municipality_id=municipality_id, organizer_id=organizer_id
    )
    return {IDENTITY_HEADER: sign_identity(caller, TEST_SECRET)}


async def read_topic(
    bootstrap_servers: str, topic: str, expect: int, timeout: float = 20.0
) -> list[Any]:
    """Every record on the topic, from the beginning, once at least `expect` have arrived."""
    import asyncio

    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            batches = await consumer.getmany(timeout_ms=300)
            for batch in batches.values():
                records.extend(batch)
            if len(records) >= expect:
                # a little longer, so a test expecting exactly N also sees an N+1st
                await asyncio.sleep(0.5)
                for batch in (await consumer.getmany(timeout_ms=300)).values():
                    records.extend(batch)
                break
    finally:
        await consumer.stop()
    return records


@asynccontextmanager
async def serving(
    service: Service, settings: ServiceSettings, port: int | None = None
) -> AsyncIterator[str]:
    """The service migrated and served over real HTTP on a free port (or the one given, for two
    services that must know each other's address before either starts); yields its base URL."""
    import asyncio

    import uvicorn

    from kulturbro_devstack.ports import free_port

    service.migrate(settings)
    port = port or free_port()
    # A request still open at the end (a fuzzer's, a test that timed out) is cut after a few
    # seconds, so stopping never hangs a test run.
    config = uvicorn.Config(
        service.create_app(settings),
        host="127.0.0.1",
        port=port,
        log_config=None,
        lifespan="on",
        http="httptools",  # as in production (Service.run); the loop is the test's own
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def serving_pages(
    servers: Servers,
    topic_prefix: str,
    schemas: dict[str, str],
    backends: tuple[str, ...] = ("directory", "catalog"),
    environment: Mapping[str, Mapping[str, str]] | None = None,
) -> AsyncIterator[dict[str, str]]:
    """The web and the gateway in front of it over real HTTP, with the services the pages call,
    each migrated into its schema in `schemas` with its own `environment[name]` added; yields
    each one's base URL, the gateway's being a browser's only address (every service is told it
    as PUBLIC_URL, the address its mails link to)."""
    import json
    from contextlib import AsyncExitStack
    from importlib.metadata import entry_points

    from kulturbro_devstack.ports import free_port

    found = {point.name: point for point in entry_points(group="kulturbro.services")}

    def started(name: str, port: int | None = None, **extra: str) -> Any:
        service: Service = found[name].load()
        own = {"PUBLIC_URL": public} | extra | dict((environment or {}).get(name, {}))
        env = service_env(servers, topic_prefix, schemas[name], **own)
        return serving(service, service_settings(service, env), port=port)

    # The web and the gateway each need the other's address before either starts.
    gateway_port, web_port = free_port(), free_port()
    public = f"http://127.0.0.1:{gateway_port}"
    async with AsyncExitStack() as stack:
        urls = {name: await stack.enter_async_context(started(name)) for name in backends}
        urls["gateway"] = public
        urls["web"] = await stack.enter_async_context(
            started("web", web_port, GATEWAY_URL=urls["gateway"])
        )
        gateway_env = {
            "GATEWAY_ROUTES": json.dumps({name: urls[name] for name in backends}),
            "WEB_URL": urls["web"],
        }
        await stack.enter_async_context(started("gateway", gateway_port, **gateway_env))
        yield urls


def wait_until(check: Callable[[], bool], what: str, seconds: float = 30) -> None:
    """Polls `check` until it holds, failing with what was awaited after `seconds` (for sync
    tests, such as the browser's)."""
    import time

    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not {what} after {seconds} s")
        time.sleep(0.2)


def recorded_spans() -> InMemorySpanExporter:
    """The spans this process finishes from now on, kept in memory (the process's one tracer
    provider is installed here if no service has installed it yet)."""
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


async def until(check: Callable[[], bool], what: str, seconds: float = 30) -> None:
    """As `wait_until`, for async code: the loop goes on between polls."""
    import asyncio
    import time

    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"still not {what} after {seconds:.0f} s")
        await asyncio.sleep(0.3)
