"""The dev stack's trace viewer takes the services' OTLP exports and shows a trace's spans; its
dashboards page is deploy's Grafana dashboards as links to Prometheus graphs."""

from urllib.parse import parse_qs, urlsplit

import httpx
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from kulturbro_devstack.prometheus import observability_folder
from kulturbro_devstack.traces import traces_app


def exported(service: str, names: list[str]) -> bytes:
    """What a service's exporter sends: spans, each a child of the one before."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span(names[0], kind=SpanKind.SERVER):
        for name in names[1:]:
            with tracer.start_as_current_span(name, kind=SpanKind.PRODUCER):
                pass
    return bytes(encode_spans(memory.get_finished_spans()).SerializeToString())


async def test_a_trace_exported_over_otlp_is_listed_and_shown() -> None:
    transport = httpx.ASGITransport(app=traces_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://viewer") as viewer:
        protobuf = {"Content-Type": "application/x-protobuf"}
        body = exported("booking", ["POST /bookings", "BookingRequested publish"])
        taken = await viewer.post("/v1/traces", content=body, headers=protobuf)
        refused = await viewer.post("/v1/traces", content=b"{}", headers={})
        broken = await viewer.post("/v1/traces", content=b"\xff\xff", headers=protobuf)
        [listed] = (await viewer.get("/api/traces")).json()
        spans = (await viewer.get(f"/api/traces/{listed['trace_id']}")).json()
        page = await viewer.get(f"/traces/{listed['trace_id']}")
        unknown = await viewer.get("/traces/0123")
    assert taken.status_code == 200
    assert (refused.status_code, broken.status_code) == (415, 400)
    assert listed["name"] == "POST /bookings" and listed["services"] == ["booking"]
    assert [(s["name"], s["kind"]) for s in spans] == [
        ("POST /bookings", "server"),
        ("BookingRequested publish", "producer"),
    ]
    assert spans[1]["parent_span_id"] == spans[0]["span_id"]
    assert "BookingRequested publish" in page.text
    assert unknown.status_code == 404


async def test_the_dashboards_page_opens_deploys_panels_in_prometheus() -> None:
    folder = observability_folder()
    assert folder is not None
    app = traces_app("http://127.0.0.1:8011", folder / "grafana" / "dashboards")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://viewer") as viewer:
        page = (await viewer.get("/dashboards")).text
    assert "Kulturbro overview" in page and "Kulturbro booking" in page
    link = page.split('href="http://127.0.0.1:8011/graph?')[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(urlsplit("?" + link).query)["g0.expr"][0].startswith("sum by (service)")
