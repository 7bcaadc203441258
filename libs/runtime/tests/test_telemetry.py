from opentelemetry import trace

from kulturbro_runtime.telemetry import configure_tracing, traces_url


def test_the_collectors_base_url_gets_the_traces_path_once() -> None:
    assert traces_url("http://otel-collector:4318") == "http://otel-collector:4318/v1/traces"
    assert traces_url("http://otel-collector:4318/") == "http://otel-collector:4318/v1/traces"
    assert traces_url("http://c:4318/v1/traces") == "http://c:4318/v1/traces"


def test_without_a_collector_no_provider_is_installed_to_record_spans_for_no_one() -> None:
    before = trace.get_tracer_provider()
    configure_tracing("catalog", None)
    assert trace.get_tracer_provider() is before
