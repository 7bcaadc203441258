"""A school registered in the directory arrives in the statistics service's local copy, traced."""

import asyncio
import os
import signal
import subprocess
import sys

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from kulturbro_cli.services import load_service
from kulturbro_devstack.ports import free_port
from kulturbro_devstack.testing import (
    Servers,
    identity_headers,
    recorded_spans,
    running,
    service_env,
    service_settings,
)

pytestmark = pytest.mark.integration

SCHOOL = {"name": "Rosengårdsskolan", "kind": "school", "school_forms": ["GR"], "district": "Öster"}


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    return recorded_spans()


async def until_summary(client: httpx.AsyncClient, headers: dict[str, str], units: int) -> dict:
    summary: dict = {}
    for _ in range(150):
        summary = (await client.get("/units/summary", headers=headers)).json()
        if summary.get("units") == units:
            break
        await asyncio.sleep(0.2)
    return summary


async def test_one_trace_id_is_seen_by_the_publishing_and_the_consuming_service(
    servers: Servers, topic_prefix: str, new_schema, spans: InMemorySpanExporter
) -> None:
    directory, stats = load_service("directory"), load_service("stats")
    admin = identity_headers("administrator", "malmo")
    directory_settings = service_settings(
        directory, service_env(servers, topic_prefix, new_schema("directory"))
    )
    stats_settings = service_settings(
        stats, service_env(servers, topic_prefix, new_schema("stats"))
    )
    async with (
        running(directory, directory_settings) as directory_api,
        running(stats, stats_settings) as stats_api,
    ):
        created = await directory_api.post("/schools", json=SCHOOL, headers=admin)
        assert created.status_code == 201, created.text
        summary = await until_summary(stats_api, admin, units=1)
    assert summary == {"units": 1, "by_district": {"Öster": 1}}
    published = [s for s in spans.get_finished_spans() if s.name == "SchoolRegistered publish"]
    consumed = [s for s in spans.get_finished_spans() if s.name == "SchoolRegistered process"]
    assert published and consumed
    assert consumed[-1].context.trace_id == published[-1].context.trace_id
    assert consumed[-1].attributes["kulturbro.service"] == "stats"


def start_service(name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kulturbro_cli", "service", name],
        env=os.environ | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


async def wait_ready(client: httpx.AsyncClient, url: str) -> None:
    for _ in range(200):
        try:
            if (await client.get(f"{url}/readyz")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"{url} never became ready")


@pytest.mark.e2e
async def test_a_school_registered_in_one_process_arrives_in_another_process(
    servers: Servers, topic_prefix: str, new_schema
) -> None:
    ports = {"directory": free_port(), "stats": free_port()}
    processes = []
    for name, port in ports.items():
        env = service_env(servers, topic_prefix, new_schema(name), HTTP_PORT=str(port))
        service = load_service(name)
        service.migrate(service_settings(service, env))
        processes.append(start_service(name, env))
    admin = identity_headers("administrator", "espoo")
    other = identity_headers("administrator", "raseborg")
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            for port in ports.values():
                await wait_ready(client, f"http://127.0.0.1:{port}")
            directory_url = f"http://127.0.0.1:{ports['directory']}"
            stats_url = f"http://127.0.0.1:{ports['stats']}"
            created = await client.post(f"{directory_url}/schools", json=SCHOOL, headers=admin)
            assert created.status_code == 201, created.text
            async with httpx.AsyncClient(base_url=stats_url, timeout=5) as stats:
                summary = await until_summary(stats, admin, units=1)
                elsewhere = (await stats.get("/units/summary", headers=other)).json()
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
    assert summary == {"units": 1, "by_district": {"Öster": 1}}
    assert elsewhere == {"units": 0, "by_district": {}}, "another municipality sees none of it"
