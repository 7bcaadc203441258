"""The dev stack's trace viewer: an OTLP/HTTP receiver keeping the services' spans in memory, with
pages listing recent traces and one trace's spans across services, and the Grafana dashboards of
deploy/observability as lists of Prometheus graphs (no Grafana or Jaeger is installable from the
package registries a fresh machine reaches; Prometheus is, from Debian)."""

import argparse
import json
from collections import OrderedDict
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import uvicorn
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

# The newest traces kept; older ones are forgotten (a developer's few minutes of clicking).
KEPT_TRACES = 2000
KINDS = {0: "", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}
_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'"
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 80rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; }
td { vertical-align: top; }
.bar { background: #5b8def; height: .8rem; min-width: 2px; }
.muted { color: #666; }
code { font-size: .9em; }
"""


@dataclass(frozen=True)
class Span:
    trace_id: str
    span_id: str
    parent_span_id: str
    service: str
    name: str
    kind: str
    start_ns: int
    end_ns: int
    attributes: dict[str, Any]

    @property
    def milliseconds(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6


def _value(any_value: Any) -> Any:
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind in ("string_value", "bool_value", "int_value",
                                                 "double_value") else str(any_value)  # fmt: skip


def spans_of(body: bytes) -> list[Span]:
    """The spans of an OTLP/HTTP protobuf export request."""
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    found = []
    for resource_spans in request.resource_spans:
        resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
        service = str(resource.get("service.name", "unknown"))
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                found.append(
                    Span(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        service=service,
                        name=span.name,
                        kind=KINDS.get(span.kind, str(span.kind)),
                        start_ns=span.start_time_unix_nano,
                        end_ns=span.end_time_unix_nano,
                        attributes={a.key: _value(a.value) for a in span.attributes},
                    )
                )
    return found


class TraceStore:
    def __init__(self, kept: int = KEPT_TRACES) -> None:
        self.kept = kept
        self.traces: OrderedDict[str, list[Span]] = OrderedDict()

    def add(self, spans: list[Span]) -> None:
        for span in spans:
            self.traces.setdefault(span.trace_id, []).append(span)
            self.traces.move_to_end(span.trace_id)
        while len(self.traces) > self.kept:
            self.traces.popitem(last=False)

    def summaries(self) -> list[dict[str, Any]]:
        """Each trace, the most recently added first: its first span, services and duration."""
        found = []
        for trace_id, spans in reversed(self.traces.items()):
            first = min(spans, key=lambda s: s.start_ns)
            found.append(
                {
                    "trace_id": trace_id,
                    "name": first.name,
                    "services": sorted({s.service for s in spans}),
                    "spans": len(spans),
                    "started_at": _time(first.start_ns),
                    "milliseconds": (max(s.end_ns for s in spans) - first.start_ns) / 1e6,
                }
            )
        return found

    def trace(self, trace_id: str) -> list[Span]:
        """A trace's spans in the order they started, parents before their children."""
        if trace_id not in self.traces:
            raise HTTPException(404, f"no trace {trace_id} (yet): spans arrive within seconds")
        return sorted(self.traces[trace_id], key=lambda s: (s.start_ns, s.end_ns))


def _time(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).isoformat(timespec="milliseconds")


def _store(request: Request) -> TraceStore:
    store: TraceStore = request.app.state.store
    return store


async def receive(request: Request) -> Response:
    if request.headers.get("content-type", "").split(";")[0] != "application/x-protobuf":
        raise HTTPException(415, "send OTLP/HTTP as application/x-protobuf")
    try:
        _store(request).add(spans_of(await request.body()))
    except DecodeError as error:
        raise HTTPException(400, f"not an OTLP trace export: {error}") from None
    return Response(
        ExportTraceServiceResponse().SerializeToString(), media_type="application/x-protobuf"
    )


def api_traces(request: Request) -> JSONResponse:
    return JSONResponse(_store(request).summaries())


def api_trace(request: Request) -> JSONResponse:
    return JSONResponse([asdict(s) for s in _store(request).trace(request.path_params["id"])])


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    document = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    headers = {"Content-Security-Policy": _PAGE_POLICY, "X-Content-Type-Options": "nosniff"}
    return HTMLResponse(document, status_code=status_code, headers=headers)


def traces_page(request: Request) -> HTMLResponse:
    rows = "".join(
        f'<tr><td><a href="/traces/{t["trace_id"]}">{escape(t["name"])}</a></td>'
        f"<td>{escape(', '.join(t['services']))}</td><td>{t['spans']}</td>"
        f"<td>{t['milliseconds']:.1f}</td><td>{t['started_at']}</td></tr>"
        for t in _store(request).summaries()[:200]
    )
    table = (
        "<table><thead><tr><th>first span</th><th>services</th><th>spans</th><th>ms</th>"
        f"<th>started (UTC)</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else '<p class="muted">No trace yet: make a request (book an event), then reload.</p>'
    )
    return _page(
        "Kulturbro traces",
        "<h1>Traces</h1><p>Newest first, each across the services it reached (HTTP through the "
        'gateway, then the events on the bus). <a href="/dashboards">Dashboards</a></p>' + table,
    )


def trace_page(request: Request) -> HTMLResponse:
    spans = _store(request).trace(request.path_params["id"])
    start = spans[0].start_ns
    total = max(max(s.end_ns for s in spans) - start, 1)
    depth: dict[str, int] = {}
    rows = []
    for s in spans:
        depth[s.span_id] = depth.get(s.parent_span_id, -1) + 1
        left, width = 100 * (s.start_ns - start) / total, 100 * (s.end_ns - s.start_ns) / total
        attributes = ", ".join(f"{k}={v}" for k, v in sorted(s.attributes.items()))
        rows.append(
            f"<tr><td>{escape(s.service)}</td>"
            f'<td style="padding-left:{0.6 + depth[s.span_id] * 1.2:.1f}rem">{escape(s.name)}'
            f' <span class="muted">{s.kind}</span></td>'
            f"<td>{(s.start_ns - start) / 1e6:.1f}</td><td>{s.milliseconds:.1f}</td>"
            f'<td style="width:30%"><div class="bar" style="margin-left:{left:.1f}%;'
            f'width:{width:.1f}%"></div></td>'
            f'<td class="muted"><code>{escape(attributes)}</code></td></tr>'
        )
    trace_id = escape(request.path_params["id"])
    return _page(
        f"Trace {trace_id}",
        f'<h1>Trace <code>{trace_id}</code></h1><p><a href="/">All traces</a></p>'
        "<table><thead><tr><th>service</th><th>span</th><th>at ms</th><th>ms</th><th></th>"
        f"<th>attributes</th></tr></thead><tbody>{''.join(rows)}</tbody></table>",
    )


def dashboards_page(request: Request) -> HTMLResponse:
    """deploy/observability's dashboards, each panel a link to its queries in Prometheus."""
    prometheus: str | None = request.app.state.prometheus_url
    folder: Path | None = request.app.state.dashboards
    if prometheus is None or folder is None or not folder.is_dir():
        raise HTTPException(404, "no dashboards: this viewer was started without Prometheus")
    sections = []
    for path in sorted(folder.glob("*.json"), key=lambda p: (p.stem != "overview", p.stem)):
        dashboard = json.loads(path.read_text())
        links = []
        for panel in dashboard.get("panels", []):
            exprs = [t["expr"] for t in panel.get("targets", []) if t.get("expr")]
            query = {f"g{n}.expr": e for n, e in enumerate(exprs)}
            query |= {f"g{n}.tab": "0" for n in range(len(exprs))}
            query |= {f"g{n}.range_input": "30m" for n in range(len(exprs))}
            url = f"{prometheus}/graph?{urlencode(query)}"
            links.append(f'<li><a href="{escape(url)}">{escape(panel["title"])}</a></li>')
        sections.append(f"<h2>{escape(dashboard['title'])}</h2><ul>{''.join(links)}</ul>")
    return _page(
        "Kulturbro dashboards",
        "<h1>Dashboards</h1><p>The Grafana dashboards of deploy/observability, each panel opened "
        f'as graphs in <a href="{escape(prometheus)}">Prometheus</a> (its <a href="'
        f"{escape(prometheus)}/alerts\">alerts</a> are deploy's rules). "
        '<a href="/">Traces</a></p>' + "".join(sections),
    )


def readyz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ready", "service": "traces"})


def not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith(("/api/", "/v1/")):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    body = f'<h1>Not found</h1><p>{escape(exc.detail)}</p><p><a href="/">All traces</a></p>'
    return _page("Not found", body, status_code=exc.status_code)


def traces_app(prometheus_url: str | None = None, dashboards: Path | None = None) -> Starlette:
    app = Starlette(
        routes=[
            Route("/", traces_page),
            Route("/traces/{id:str}", trace_page),
            Route("/dashboards", dashboards_page),
            Route("/v1/traces", receive, methods=["POST"]),
            Route("/api/traces", api_traces),
            Route("/api/traces/{id:str}", api_trace),
            Route("/readyz", readyz),
        ],
        exception_handlers={HTTPException: not_found},
    )
    app.state.store = TraceStore()
    app.state.prometheus_url = prometheus_url
    app.state.dashboards = dashboards
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Receive OTLP/HTTP traces and show them.")
    parser.add_argument("--port", type=int, default=4318)
    parser.add_argument("--prometheus-url", help="where the dashboards' graphs open")
    parser.add_argument("--dashboards", type=Path, help="a folder of Grafana dashboard JSON")
    args = parser.parse_args(argv)
    app = traces_app(args.prometheus_url, args.dashboards)
    uvicorn.run(app, host="127.0.0.1", port=args.port, access_log=False)


if __name__ == "__main__":
    main()
