"""OpenTelemetry tracing, with the trace context carried in Kafka headers."""

from collections.abc import Mapping
from functools import cache

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def configure_tracing(service: str, otlp_endpoint: str | None) -> None:
    """Install a tracer provider once per process, where a collector is configured. Without one
    the API's own no-op tracer stays: a span recorded for no one cost a tenth of a service's
    time on a busy path, and a trace context that comes in is still passed on unchanged."""
    if not otlp_endpoint or isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    exporter = OTLPSpanExporter(endpoint=traces_url(otlp_endpoint))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)


def traces_url(otlp_endpoint: str) -> str:
    """OTEL_EXPORTER_OTLP_ENDPOINT is the collector's base URL (OpenTelemetry's specification);
    an endpoint given to the exporter is used as it is, so the traces path is added here."""
    base = otlp_endpoint.rstrip("/")
    return base if base.endswith("/v1/traces") else f"{base}/v1/traces"


@cache
def tracer() -> trace.Tracer:
    # One for the process (a request's span is started with it): before configure_tracing it
    # is a proxy that follows the provider installed later.
    return trace.get_tracer("kulturbro")


def inject_headers() -> dict[str, str]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def extract_context(headers: Mapping[str, str]) -> Context:
    return propagate.extract(dict(headers))
