"""Wrong or missing settings stop a service at start with one line per variable."""

import os
import subprocess
import sys

import pytest

from kulturbro_runtime.settings import ServiceSettings, load_settings

GOOD = {"DATABASE_URL": "postgresql://u@h:5432/d", "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092"}


def run_load(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> ServiceSettings:
    for key in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "KULTURBRO_ENV", "KULTURBRO_SECRET_KEY"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return load_settings(ServiceSettings, "booking")


def test_good_settings_load(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = run_load(monkeypatch, GOOD | {"KULTURBRO_ENV": "development"})
    assert settings.kafka_bootstrap_servers == "kafka:9092"


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092"}, "setting DATABASE_URL: Field required"),
        (GOOD | {"DATABASE_URL": "mysql://x"}, "setting DATABASE_URL: must be a postgresql:// URL"),
        (
            GOOD | {"KAFKA_BOOTSTRAP_SERVERS": "kafka"},
            "setting KAFKA_BOOTSTRAP_SERVERS: must be host:port",
        ),
        (GOOD, "KULTURBRO_SECRET_KEY: set a random secret of at least 32 characters in production"),
        (GOOD | {"HTTP_PORT": "eighty"}, "setting HTTP_PORT: Input should be a valid integer"),
    ],
)
def test_a_wrong_setting_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    line: str,
) -> None:
    with pytest.raises(SystemExit) as stopped:
        run_load(monkeypatch, env)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert line in err
    assert err.startswith("kulturbro booking: ")


def test_a_service_started_without_settings_stops_with_a_line_not_a_traceback() -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")
    }
    result = subprocess.run(
        [sys.executable, "-m", "kulturbro_cli", "service", "stats"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "kulturbro stats: setting DATABASE_URL: Field required" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_service_is_named() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kulturbro_cli", "service", "bookings"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "unknown service 'bookings'; choose one of: allocation, booking" in result.stderr
