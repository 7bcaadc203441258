"""A small demo municipality, loaded through the services' own APIs."""

from typing import Any

import httpx

from kulturbro_runtime.identity import IDENTITY_HEADER, Caller, Role, sign_identity

DEMO_MUNICIPALITY = "demo"
DEMO_SCHOOLS: list[dict[str, Any]] = [
    {
        "name": "Ängslättsskolan",
        "kind": "school",
        "school_forms": ["FKLASS", "GR"],
        "district": "Norr",
    },
    {
        "name": "Kulladals förskola",
        "kind": "preschool",
        "school_forms": ["FS"],
        "district": "Söder",
    },
    {"name": "Strandgymnasiet", "kind": "school", "school_forms": ["GY"], "district": "Centrum"},
    {"name": "Lindgårdens äldreboende", "kind": "elderly_care_home", "district": "Söder"},
]


def load_demo(directory_url: str, secret: str) -> int:
    """Register the demo schools unless they are there already; returns how many were added."""
    caller = Caller(
        subject="demo-loader", role=Role.ADMINISTRATOR, municipality_id=DEMO_MUNICIPALITY
    )
    headers = {IDENTITY_HEADER: sign_identity(caller, secret)}
    with httpx.Client(base_url=directory_url, headers=headers, timeout=10) as client:
        existing = {school["name"] for school in client.get("/schools").raise_for_status().json()}
        added = 0
        for school in DEMO_SCHOOLS:
            if school["name"] not in existing:
                client.post("/schools", json=school).raise_for_status()
                added += 1
        return added
