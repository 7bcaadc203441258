"""The demo municipality: registered and imported through the directory's own API, from the CSV
files the directory ships, as any municipality without SS 12000 would be."""

import json
import subprocess
import sys
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


# Where Demostad's culture bus waits between trips.
DEMO_BUS_DEPOT = {"depot_latitude": 55.5900, "depot_longitude": 13.0150}


def set_demo_bus_rules(transport_url: str, secret: str) -> None:
    """The depot of the demo's bus, so a class booked with the bus gets a planned trip."""
    administrator = Caller(
        subject="demo-loader", role=Role.ADMINISTRATOR, municipality_id=DEMO_MUNICIPALITY
    )
    with httpx.Client(base_url=transport_url, timeout=30) as client:
        rules = _check(client.get("/rules", headers=_signed(administrator, secret))).json()
        _check(
            client.put(
                "/rules", json=rules | DEMO_BUS_DEPOT, headers=_signed(administrator, secret)
            )
        )


def _signed(caller: Caller, secret: str) -> dict[str, str]:
    return {IDENTITY_HEADER: sign_identity(caller, secret)}


def _check(response: httpx.Response) -> httpx.Response:
    if response.is_error:
        detail = response.json().get("detail", response.text)
        raise SystemExit(f"kulturbro dev: the demo municipality was not loaded: {detail}")
    return response


DEMO_PASSWORD = "kulturbro-demo-password"  # development only: the dev stack's own accounts
DEMO_ACCOUNTS = {
    "administrator": "kultur@demostad.example",
    "organizer": "teatern@demostad.example",
}


def add_demo_accounts(env: dict[str, str], catalog_url: str, secret: str) -> dict[str, str]:
    """A culture administrator and a theatre that has published an event, to try Kulturbro with;
    the demo's teachers sign in with an e-mailed link. Returns e-mail by role."""
    administrator = Caller(
        subject="demo-loader", role=Role.ADMINISTRATOR, municipality_id=DEMO_MUNICIPALITY
    )
    with httpx.Client(
        base_url=catalog_url, timeout=30, headers=_signed(administrator, secret)
    ) as client:
        organizers = _check(client.get("/organizers")).json()
        theatre = (
            next((o for o in organizers if o["name"] == "Demostadsteatern"), None)
            or _check(
                client.post(
                    "/organizers",
                    json={
                        "name": "Demostadsteatern",
                        "kind": "theatre",
                        "contact_email": DEMO_ACCOUNTS["organizer"],
                    },
                )
            ).json()
        )
    _add_account(env, DEMO_ACCOUNTS["administrator"], "administrator")
    _add_account(env, DEMO_ACCOUNTS["organizer"], "organizer", "--organizer", theatre["id"])
    organizer = Caller(
        subject="demo-loader", role=Role.ORGANIZER, municipality_id=DEMO_MUNICIPALITY,
        organizer_id=theatre["id"],
    )  # fmt: skip
    with httpx.Client(
        base_url=catalog_url, timeout=30, headers=_signed(organizer, secret)
    ) as client:
        if not _check(client.get("/events/mine")).json():
            draft = _check(client.post("/events", json=_demo_event())).json()
            _check(client.post(f"/events/{draft['id']}/publish"))
    return DEMO_ACCOUNTS


def _add_account(env: dict[str, str], email: str, role: str, *extra: str) -> None:
    # The gateway hears of the municipality and the organizer registered a moment ago by events.
    added = subprocess.run(
        [sys.executable, "-m", "kulturbro_cli", "accounts", "add", email, "--role", role,
         "--municipality", DEMO_MUNICIPALITY, "--wait", "60", *extra],
        env=env | {"KULTURBRO_NEW_PASSWORD": DEMO_PASSWORD}, capture_output=True, text=True,
    )  # fmt: skip
    if added.returncode != 0 and "has an account already" not in added.stderr:
        raise SystemExit(f"kulturbro dev: the demo account {email} was not added: {added.stderr}")


def _demo_event() -> dict[str, Any]:
    from datetime import UTC, datetime, timedelta

    start = (datetime.now(UTC) + timedelta(days=40)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    return {
        "title": {"sv": "Pippi på Demostadsteatern", "fi": "Peppi Demostadin teatterissa",
                  "en": "Pippi at the Demostad Theatre"},
        "description": {"sv": "En föreställning om vänskap och mod, 50 minuter.",
                        "en": "A play about friendship and courage, 50 minutes."},
        "category": "theatre",
        "target_groups": ["preschool_class", "grade_1", "grade_2", "grade_3"],
        "duration_minutes": 50,
        "venue": {"name": "Demostadsteatern", "address": "Torget 1", "district": "Centrum",
                  "step_free": True, "toilets": True, "cloakroom": True,
                  "latitude": 55.6050, "longitude": 13.0000},
        "max_group_size": 30, "adults_per_group": 2, "booking_policy": "instant",
        "booking_opens_at": datetime.now(UTC).isoformat(),
        "booking_closes_at": (start - timedelta(days=10)).isoformat(),
        "occurrences": [
            {"starts_at": (start + timedelta(days=d)).isoformat(),
             "ends_at": (start + timedelta(days=d, minutes=50)).isoformat(),
             "capacity": 60, "language": "sv"}
            for d in (0, 1)
        ],
    }  # fmt: skip
