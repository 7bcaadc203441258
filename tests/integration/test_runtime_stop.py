"""A service stops within bounds even when part of it will not: Kubernetes kills a pod that
overstays its grace period, mid-step, so a bounded stop is the one that finishes its steps."""

import asyncio
import time

import pytest

from kulturbro_devstack.testing import Servers, service_env, service_settings
from kulturbro_runtime import runtime as runtime_module
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.service import Service

pytestmark = pytest.mark.integration


async def test_a_job_that_ignores_cancellation_does_not_hold_the_stop(
    servers: Servers, topic_prefix: str, new_schema, probe: Service, monkeypatch, caplog
) -> None:
    monkeypatch.setattr(runtime_module, "STOP_STEP_SECONDS", 0.5)
    released = asyncio.Event()

    async def stubborn(_: Runtime) -> None:
        while not released.is_set():
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue  # as a library that swallows cancellation would

    settings = service_settings(probe, service_env(servers, topic_prefix, new_schema("probe")))
    probe.migrate(settings)
    runtime = Runtime("probe", settings, handlers={}, background=[stubborn])
    await runtime.start()
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await runtime.stop()
    took = time.monotonic() - started
    released.set()
    assert took < 5, f"the stop took {took:.1f} s"
    assert "stubborn did not stop within 0 s" in caplog.text
