"""What the benchmarks that run services as processes share: topics and schemas of their own on
the servers, a publisher standing in for the services not running, and the processes."""

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from bench.event_bus import BENCH
from kulturbro_devstack.testing import Servers, identity_headers, service_env
from kulturbro_runtime.db import driver_url
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.settings import settings_from
from kulturbro_runtime.topics import all_topics, create_topics

ROOT = Path(__file__).resolve().parent.parent


def plain_url(url: str) -> str:
    """The database URL as psycopg takes it."""
    return driver_url(url).replace("postgresql+psycopg://", "postgresql://")


@dataclass
class Stage:
    servers: Servers
    prefix: str  # of this run's topics
    url: str  # the database, for psycopg
    schemas: dict[str, str]  # per service, and the publisher's
    publisher: Runtime
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self, service: str, **extra: str) -> dict[str, str]:
        return service_env(self.servers, self.prefix, self.schemas[service], **extra)

    def start(self, arguments: list[str], env: dict[str, str], log: Path | None = None) -> (
        subprocess.Popen[bytes]
    ):  # fmt: skip
        """`python -m ARGUMENTS` in a session of its own, killed when the stage ends."""
        with open(log or os.devnull, "wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", *arguments], env=os.environ | env, cwd=ROOT,
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.processes.append(process)
        return process


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@asynccontextmanager
async def stage(servers: Servers, *services: str) -> AsyncIterator[Stage]:
    """Everything a run needs, and nothing of it left afterwards."""
    prefix, tag = f"bench-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:8]
    await create_topics(servers.kafka_bootstrap_servers, all_topics(prefix))
    url = plain_url(servers.database_url)
    schemas = {name: f"{name}_{tag}" for name in (*services, "publisher")}
    settings = settings_from(
        BENCH.settings_class, service_env(servers, prefix, schemas["publisher"])
    )
    BENCH.migrate(settings)
    publisher = Runtime("bench-publisher", settings, handlers={})
    await publisher.start()
    run = Stage(servers, prefix, url, schemas, publisher)
    try:
        yield run
    finally:
        await publisher.stop()
        for process in run.processes:
            stop(process)
        with psycopg.connect(url, autocommit=True) as connection:
            for schema in schemas.values():
                connection.execute(f'drop schema if exists "{schema}" cascade')


def ok(answer: httpx.Response, status: int = 200) -> httpx.Response:
    if answer.status_code != status:
        raise RuntimeError(f"{answer.request.url} answered {answer.status_code}: {answer.text}")
    return answer


async def municipality_with_organizer(
    http: httpx.AsyncClient, urls: dict[str, str], town: str, name: str
) -> str:
    """A municipality registered by an operator at the directory, and a theatre the culture
    office adds at the catalog; the theatre's organizer id."""
    ok(
        await http.post(
            f"{urls['directory']}/municipalities",
            headers=identity_headers("operator", None),
            json={
                "id": town,
                "name": name,
                "languages": ["sv", "en"],
                "time_zone": "Europe/Stockholm",
                "districts": ["Centrum"],
            },
        ),
        201,
    )
    organizer: str = ok(
        await http.post(
            f"{urls['catalog']}/organizers",
            headers=identity_headers("administrator", town),
            json={"name": "Stadsteatern", "kind": "theatre", "contact_email": "s@example.org"},
        ),
        201,
    ).json()["id"]
    return organizer


def csv_import(units: int, groups: list[str], teachers: list[str]) -> dict[str, object]:
    """The directory's CSV import: `units` schools U0, U1, ..., and the lines of groups.csv
    (id,unit_id,name,target_group,size) and teachers.csv (id,name,email,groups)."""
    return {
        "units": "\n".join(["id,name,kind", *(f"U{n},Skola {n},school" for n in range(units))])
        + "\n",
        "groups": "\n".join(["id,unit_id,name,target_group,size", *groups]) + "\n",
        "teachers": "\n".join(["id,name,email,groups", *teachers]) + "\n",
        "dry_run": False,
    }
