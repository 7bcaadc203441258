"""Every request is a server span joining the caller's trace, except the scrapes and probes that
come every few seconds and would bury the requests."""

from pathlib import Path

import httpx
from fastapi import APIRouter
from opentelemetry import trace

from kulturbro_devstack.testing import recorded_spans
from kulturbro_runtime import Service
from kulturbro_runtime.identity import public
from kulturbro_runtime.settings import ServiceSettings

router = APIRouter()
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


@router.get("/things/{thing}", **public())
async def a_thing(thing: str) -> dict[str, str]:
    return {"thing": thing}


async def test_a_request_is_a_span_of_the_callers_trace_and_a_scrape_is_none() -> None:
    exported = recorded_spans()
    service = Service(name="traced", description="", migrations=Path("versions"), routers=[router])
    settings = ServiceSettings(
        kulturbro_env="test",
        database_url="postgresql://nobody@127.0.0.1:1/none",
        kafka_bootstrap_servers="127.0.0.1:1",
    )
    transport = httpx.ASGITransport(app=service.create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        parent = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"
        assert (await client.get("/things/a", headers={"traceparent": parent})).status_code == 200
        for path in ("/metrics", "/healthz"):
            await client.get(path)
    finished = exported.get_finished_spans()
    [server] = [s for s in finished if s.kind == trace.SpanKind.SERVER]
    assert server.name == "GET /things/{thing}"
    assert server.attributes is not None and server.attributes["kulturbro.service"] == "traced"
    assert format(server.context.trace_id, "032x") == CALLER_TRACE
    assert all(format(s.context.trace_id, "032x") == CALLER_TRACE for s in finished), [
        s.name for s in finished
    ]
