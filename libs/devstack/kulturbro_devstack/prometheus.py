"""Prometheus for the dev stack: Debian's `prometheus` binary scraping each service on this
machine, with deploy/observability's alert rules."""

import json
import shutil
from collections.abc import Mapping
from functools import partial
from pathlib import Path

import httpx

from kulturbro_devstack._process import ServerProcess, SubprocessServer
from kulturbro_devstack.ports import free_port

INSTALL = "apt-get install -y prometheus (Debian's package)"
SCRAPE_SECONDS = 5


def observability_folder() -> Path | None:
    """deploy/observability of the checkout this package runs from, if it runs from one."""
    folder = Path(__file__).resolve().parents[3] / "deploy" / "observability"
    return folder if folder.is_dir() else None


def prometheus_binary() -> str | None:
    return shutil.which("prometheus")


def prometheus_config(targets: Mapping[str, int], rules: Path | None) -> str:
    """Each service by the label `app`, in job `kulturbro`, as deploy's configs name them, so the
    dashboards' and rules' queries work unchanged. JSON is YAML."""
    config = {
        "global": {"scrape_interval": f"{SCRAPE_SECONDS}s", "evaluation_interval": "5s"},
        "rule_files": [str(rules)] if rules else [],
        "scrape_configs": [
            {
                "job_name": "kulturbro",
                "static_configs": [
                    {"targets": [f"127.0.0.1:{port}"], "labels": {"app": name}}
                    for name, port in targets.items()
                ],
            }
        ],
    }
    return json.dumps(config, indent=2)


class EmbeddedPrometheus(SubprocessServer):
    def __init__(self, process: ServerProcess, port: int) -> None:
        super().__init__(process)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"


def start_prometheus(
    state_dir: Path, targets: Mapping[str, int], port: int | None = None
) -> EmbeddedPrometheus:
    """Prometheus keeping its data in state_dir; raises FileNotFoundError without the binary."""
    binary = prometheus_binary()
    if binary is None:
        raise FileNotFoundError(f"Prometheus is not installed: {INSTALL}")
    port = port or free_port()
    state_dir.mkdir(parents=True, exist_ok=True)
    folder = observability_folder()
    rules = folder / "prometheus" / "alerts.yml" if folder else None
    config = state_dir / "prometheus.yml"
    config.write_text(prometheus_config(targets, rules))
    argv = [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={state_dir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--storage.tsdb.retention.time=1d",
    ]
    process = ServerProcess("prometheus", argv, ready=partial(_ready, port), ready_timeout=60)
    process.start()
    return EmbeddedPrometheus(process, port)


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/-/ready", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
