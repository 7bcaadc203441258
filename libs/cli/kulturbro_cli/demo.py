"""The demo municipality: registered and imported through the directory's own API, from the CSV
files the directory ships, as any municipality without SS 12000 would be."""

import json
from importlib.resources import files
from typing import Any

import httpx

from kulturbro_runtime.identity import IDENTITY_HEADER, Caller, Role, sign_identity

DEMO_FILES = files("directory") / "demo"
DEMO: dict[str, Any] = json.loads((DEMO_FILES / "municipality.json").read_text())
DEMO_MUNICIPALITY: str = DEMO["id"]


def load_demo(directory_url: str, secret: str) -> str:
    """Register the demo municipality unless it is there, and import its files; says what the
    import added."""
    operator = Caller(subject="demo-loader", role=Role.OPERATOR)
    administrator = Caller(
        subject="demo-loader", role=Role.ADMINISTRATOR, municipality_id=DEMO_MUNICIPALITY
    )
    csv_files = {
        name: (DEMO_FILES / f"{name}.csv").read_text() for name in ("units", "groups", "teachers")
    }
    with httpx.Client(base_url=directory_url, timeout=30) as client:
        registered = client.post("/municipalities", json=DEMO, headers=_signed(operator, secret))
        if registered.status_code != 409:  # registered on an earlier run
            _check(registered)
        report = _check(
            client.post("/imports/csv", json=csv_files, headers=_signed(administrator, secret))
        ).json()
    added = {kind: len(report[kind]["added"]) for kind in ("units", "groups", "teachers")}
    if not any(added.values()):
        return "up to date"
    return ", ".join(f"{count} {kind}" for kind, count in added.items()) + " added this run"


def _signed(caller: Caller, secret: str) -> dict[str, str]:
    return {IDENTITY_HEADER: sign_identity(caller, secret)}


def _check(response: httpx.Response) -> httpx.Response:
    if response.is_error:
        detail = response.json().get("detail", response.text)
        raise SystemExit(f"kulturbro dev: the demo municipality was not loaded: {detail}")
    return response
