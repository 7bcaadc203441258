"""`kulturbro dev --observe`'s pieces: Prometheus (Debian's) scrapes the services with deploy's
rules, and a request's trace reaches the dev stack's trace viewer across two services."""

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from kulturbro_cli.services import load_service
from kulturbro_devstack.ports import free_port
from kulturbro_devstack.prometheus import INSTALL, prometheus_binary, start_prometheus
from kulturbro_devstack.testing import Servers, identity_headers, service_env, service_settings

from .test_tracing_and_slice import SCHOOL, start_service, wait_ready

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
needs_prometheus = pytest.mark.skipif(
    prometheus_binary() is None, reason=f"needs the prometheus binary: {INSTALL}"
)


async def until(found: Any, what: str, seconds: float = 60) -> Any:
    """found() once it is truthy; it is polled, since scrapes and span exports come in batches."""
    for _ in range(int(seconds / 0.5)):
        if result := await found():
            return result
        await asyncio.sleep(0.5)
    raise AssertionError(f"{what} within {seconds:.0f} s")


def start_viewer(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kulturbro_devstack.traces", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@needs_prometheus
async def test_prometheus_scrapes_the_services_and_a_trace_reaches_the_viewer(
    servers: Servers, topic_prefix: str, new_schema: Any, tmp_path: Path
) -> None:
    ports = {"directory": free_port(), "stats": free_port()}
    viewer_port = free_port()
    viewer_url = f"http://127.0.0.1:{viewer_port}"
    processes = [start_viewer(viewer_port)]
    for name, port in ports.items():
        env = service_env(
            servers,
            topic_prefix,
            new_schema(name),
            HTTP_PORT=str(port),
            OTEL_EXPORTER_OTLP_ENDPOINT=viewer_url,
            OTEL_BSP_SCHEDULE_DELAY="200",
        )
        service = load_service(name)
        service.migrate(service_settings(service, env))
        processes.append(start_service(name, env))
    try:
        with start_prometheus(tmp_path / "prometheus", ports) as prometheus:
            async with httpx.AsyncClient(timeout=5) as client:
                for port in ports.values():
                    await wait_ready(client, f"http://127.0.0.1:{port}")
                await wait_ready(client, viewer_url)
                created = await client.post(
                    f"http://127.0.0.1:{ports['directory']}/schools",
                    json=SCHOOL,
                    headers=identity_headers("administrator", "espoo"),
                )
                assert created.status_code == 201, created.text

                async def scraped() -> list[Any]:
                    answer = await client.get(
                        f"{prometheus.url}/api/v1/query",
                        params={"query": 'kulturbro_http_request_seconds_count{route="/schools"}'},
                    )
                    return list(answer.json()["data"]["result"])

                async def traced() -> list[dict[str, Any]]:
                    traces = (await client.get(f"{viewer_url}/api/traces")).json()
                    across = [t for t in traces if {"directory", "stats"} <= set(t["services"])]
                    if not across:
                        return []
                    answer = await client.get(f"{viewer_url}/api/traces/{across[0]['trace_id']}")
                    return list(answer.json())

                series = await until(scraped, "Prometheus scraped the directory's request")
                spans = await until(traced, "the viewer holds a trace across both services")
                rules = (await client.get(f"{prometheus.url}/api/v1/rules")).json()
                up = await client.get(f"{prometheus.url}/api/v1/query", params={"query": "up"})
                page = await client.get(f"{viewer_url}/traces/{spans[0]['trace_id']}")
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)

    assert series[0]["metric"]["app"] == "directory"
    assert series[0]["metric"]["job"] == "kulturbro"
    assert {r["metric"]["app"]: r["value"][1] for r in up.json()["data"]["result"]} == {
        "directory": "1",
        "stats": "1",
    }
    loaded = {rule["name"] for group in rules["data"]["groups"] for rule in group["rules"]}
    assert {"ConsumerBehind", "HttpErrorRate", "DeadLetter"} <= loaded, "deploy's alert rules"
    named = [(s["service"], s["name"], s["kind"]) for s in spans]
    assert ("directory", "POST /schools", "server") in named
    assert ("directory", "SchoolRegistered publish", "producer") in named
    assert ("stats", "SchoolRegistered process", "consumer") in named
    assert page.status_code == 200 and "SchoolRegistered process" in page.text


def test_observe_without_prometheus_says_what_to_install_in_one_line(tmp_path: Path) -> None:
    only_python = {"PATH": str(Path(sys.executable).parent)}
    ran = subprocess.run(
        [sys.executable, "-m", "kulturbro_cli", "dev", "--observe", "--state-dir", str(tmp_path)],
        env=os.environ | only_python,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode != 0
    assert ran.stderr.strip() == f"kulturbro dev --observe needs Prometheus: {INSTALL}"
    assert "Traceback" not in ran.stdout + ran.stderr
