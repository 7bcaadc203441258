"""Every answer carries its correlation id and is counted in the latency metrics, failures too."""

import uuid

import httpx
from fastapi import FastAPI

from kulturbro_runtime import metrics
from kulturbro_runtime.errors import install_error_handlers
from kulturbro_runtime.service import Observed


def an_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(Observed, service="observed-test")

    @app.get("/things/{thing}")
    async def thing(thing: int) -> dict[str, int]:
        if thing == 0:
            raise RuntimeError("a bug")
        return {"thing": thing}

    return app


def counted(route: str, status: str) -> float:
    found = metrics.http_request_seconds.labels("observed-test", "GET", route, status)
    return float(found._sum.get())  # type: ignore[attr-defined]


async def test_the_callers_correlation_id_comes_back_and_a_new_one_without() -> None:
    transport = httpx.ASGITransport(app=an_app(), raise_app_exceptions=False)
    given = str(uuid.uuid4())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        kept = await client.get("/things/1", headers={"X-Correlation-ID": given})
        made = await client.get("/things/2", headers={"X-Correlation-ID": "not a uuid"})
    assert kept.headers["X-Correlation-ID"] == given
    assert uuid.UUID(made.headers["X-Correlation-ID"]) != uuid.UUID(given)


async def test_answers_and_failures_are_timed_under_their_route_and_status() -> None:
    before = counted("/things/{thing}", "200"), counted("/things/{thing}", "500")
    transport = httpx.ASGITransport(app=an_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        ok = await client.get("/things/3")
        failed = await client.get("/things/0")
    assert (ok.status_code, failed.status_code) == (200, 500)
    assert counted("/things/{thing}", "200") > before[0]
    assert counted("/things/{thing}", "500") > before[1]
