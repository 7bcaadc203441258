"""deploy/conventions.py passes the dev overlay as rendered, and fails it when the partitions do
not match the autoscalers, a ScaledObject breaks KEDA's schema, an image is not pinned, or a
NetworkPolicy lets a pod other than the gateway and Prometheus reach a service."""

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEV = "deploy/k8s/overlays/dev"


def conventions(tmp_path: Path, change: Callable[[dict[tuple[str, str], Any]], None]) -> str:
    rendered = subprocess.run(
        [sys.executable, "deploy/render_kustomize.py", DEV],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    docs = [d for d in yaml.safe_load_all(rendered) if d]
    change({(d["kind"], d["metadata"]["name"]): d for d in docs})
    path = tmp_path / "dev.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    checked = subprocess.run(
        [
            sys.executable,
            "deploy/conventions.py",
            "docker-compose.yml",
            "Dockerfile",
            f"{DEV}={path}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return checked.stdout if checked.returncode else "passed"


def test_the_dev_overlay_keeps_the_conventions(tmp_path: Path) -> None:
    assert conventions(tmp_path, lambda objects: None) == "passed"


def _partitions(objects: dict[tuple[str, str], Any]) -> None:
    objects["ConfigMap", "kulturbro-config"]["data"]["KAFKA_TOPIC_PARTITIONS"] = "6"


def _unknown_field(objects: dict[tuple[str, str], Any]) -> None:
    objects["ScaledObject", "notify"]["spec"]["maxReplicas"] = 12


def _latest(objects: dict[tuple[str, str], Any]) -> None:
    objects["Deployment", "booking"]["spec"]["template"]["spec"]["containers"][0]["image"] = (
        "kulturbro/booking:latest"
    )


def _open_booking(objects: dict[tuple[str, str], Any]) -> None:
    rules = objects["NetworkPolicy", "kulturbro-services"]["spec"]["ingress"]
    rules[0]["from"].append({"podSelector": {"matchLabels": {"app.kubernetes.io/name": "redis"}}})


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (_partitions, "KAFKA_TOPIC_PARTITIONS (6) must be the ScaledObjects' largest"),
        (_unknown_field, "notify: ScaledObject spec: Additional properties are not allowed"),
        (_latest, "image kulturbro/booking:latest must be pinned"),
        (_open_booking, "booking: NetworkPolicies must let in only the gateway and prometheus"),
    ],
)
def test_a_broken_overlay_fails(tmp_path: Path, change, says: str) -> None:  # type: ignore[no-untyped-def]
    assert says in conventions(tmp_path, change)
