from kulturbro_runtime.telemetry import traces_url


def test_the_collectors_base_url_gets_the_traces_path_once() -> None:
    assert traces_url("http://otel-collector:4318") == "http://otel-collector:4318/v1/traces"
    assert traces_url("http://otel-collector:4318/") == "http://otel-collector:4318/v1/traces"
    assert traces_url("http://c:4318/v1/traces") == "http://c:4318/v1/traces"
