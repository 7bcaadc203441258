"""The booking benchmark's client: requests that wait their turn still carry a valid identity."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace

import pytest
import uvicorn
from fastapi import FastAPI

from bench.booking_throughput import Booking, send_bookings
from kulturbro_devstack.ports import free_port
from kulturbro_devstack.testing import TEST_SECRET
from kulturbro_runtime import identity
from kulturbro_runtime.identity import CallerDep

ANSWER_SECONDS = 0.1


def a_booking_api() -> FastAPI:
    """Checks the signed identity as every service does, and takes its time to answer."""
    app = FastAPI()
    app.state.runtime = SimpleNamespace(secret=TEST_SECRET)

    @app.post("/bookings", status_code=201)
    async def book(caller: CallerDep) -> dict[str, str]:
        await asyncio.sleep(ANSWER_SECONDS)
        return {"teacher": caller.subject}

    return app


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_requests_queued_longer_than_an_identity_lives_are_still_let_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Identities that live 1-2 s (the expiry is a whole second), and 2.5 s of requests queued
    # behind 4 connections: an identity signed while its request waited would be refused.
    monkeypatch.setattr(identity, "IDENTITY_LIFETIME_SECONDS", 2)
    bookings = [Booking(uuid.uuid4(), {"pupils": 2}) for _ in range(100)]
    async with serving(a_booking_api()) as url:
        latencies = await send_bookings(url, bookings, in_flight=4)
    assert len(latencies) == len(bookings)
