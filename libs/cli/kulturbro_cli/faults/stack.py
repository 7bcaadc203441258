"""The whole stack for the fault suite: servers of its own on free ports, every service as a
process started as `kulturbro dev` starts it, and the levers to break each piece."""

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kulturbro_cli.database import ServiceLogin, grant_own_schemas
from kulturbro_cli.dev_stack import DEV_DATABASE_PASSWORD, service_environment
from kulturbro_cli.infrastructure import Infrastructure
from kulturbro_cli.services import SERVICE_NAMES, load_service
from kulturbro_devstack.kafka import EmbeddedKafka, start_kafka
from kulturbro_devstack.ports import free_port
from kulturbro_devstack.postgres import EmbeddedPostgres, start_postgres
from kulturbro_devstack.redis import EmbeddedRedis, start_redis
from kulturbro_devstack.smtp import EmbeddedSmtp, start_smtp
from kulturbro_runtime.settings import settings_from
from kulturbro_runtime.topics import all_topics, create_topics

READY_SECONDS = 180
TOPIC_PREFIX = "kulturbro"


@dataclass
class Stack:
    workdir: Path
    secret: str
    postgres: EmbeddedPostgres
    redis: EmbeddedRedis
    kafka: EmbeddedKafka
    relay: subprocess.Popen[bytes]
    smtp: EmbeddedSmtp
    infra: Infrastructure
    ports: dict[str, int]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def database_url(self) -> str:
        """The superuser's, for looking at every schema."""
        return self.postgres.url

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def log(self, name: str) -> Path:
        return self.workdir / "logs" / f"{name}.log"

    def start(self, name: str) -> None:
        with self.log(name).open("ab") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "kulturbro_cli", "service", name],
                env=service_environment(self.infra, self.secret, self.ports, name),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown of any kind, as when a node dies."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def cut_broker(self) -> None:
        self.relay.send_signal(signal.SIGUSR1)

    def restore_broker(self) -> None:
        self.relay.send_signal(signal.SIGUSR2)

    async def until_ready(self, names: list[str]) -> None:
        waiting = set(names)
        deadline = time.monotonic() + READY_SECONDS
        async with httpx.AsyncClient(timeout=2) as client:
            while waiting:
                for name in sorted(waiting):
                    if self.processes[name].poll() is not None:
                        raise RuntimeError(f"{name} stopped at start; see {self.log(name)}")
                    try:
                        if (await client.get(f"{self.url(name)}/readyz")).status_code == 200:
                            waiting.discard(name)
                    except httpx.HTTPError:
                        pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"not ready in time: {', '.join(sorted(waiting))}")
                await asyncio.sleep(0.3)

    def stop_services(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _start_relay(workdir: Path, port: int, upstream: int) -> subprocess.Popen[bytes]:
    with (workdir / "logs" / "relay.log").open("ab") as log:
        relay = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kulturbro_cli.faults.relay",
                "--port",
                str(port),
                "--to",
                f"127.0.0.1:{upstream}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 30
    while "relaying" not in (workdir / "logs" / "relay.log").read_text():
        if relay.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the broker's relay did not start; see {workdir}/logs/relay.log")
        time.sleep(0.1)
    return relay


def _stopped(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@contextmanager
def running_stack(workdir: Path, started: tuple[str, ...] = SERVICE_NAMES) -> Iterator[Stack]:
    """Every server up and every service migrated, the `started` ones running and ready; all
    of it stopped, every process, when the block ends."""
    (workdir / "logs").mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        postgres = stack.enter_context(start_postgres(workdir / "postgres"))
        redis = stack.enter_context(start_redis())
        relay_port = free_port()
        relay = _start_relay(workdir, relay_port, kafka_port := free_port())
        stack.callback(_stopped, relay)
        kafka = stack.enter_context(start_kafka(kafka_port, advertised_port=relay_port))
        smtp = stack.enter_context(start_smtp())
        services = SERVICE_NAMES
        infra = Infrastructure(
            postgres.url, redis.url, f"127.0.0.1:{relay_port}", smtp.url, maildir=None
        )
        ports = {name: free_port() for name in services}
        running = Stack(
            workdir, secrets.token_urlsafe(32), postgres, redis, kafka, relay, smtp, infra, ports
        )
        grant_own_schemas(
            postgres.url, [ServiceLogin(name, name, DEV_DATABASE_PASSWORD) for name in services]
        )
        asyncio.run(create_topics(infra.kafka_bootstrap_servers, all_topics(TOPIC_PREFIX)))
        for name in services:
            service = load_service(name)
            env = service_environment(infra, running.secret, ports, name)
            service.migrate(settings_from(service.settings_class, env))
        stack.callback(running.stop_services)
        for name in started:
            running.start(name)
        asyncio.run(running.until_ready(list(started)))
        yield running
