"""Numbers beyond what their columns and the domain hold are refused at the door, not overflowed."""

from typing import Any

import pytest

from kulturbro_devstack.testing import Servers

from .test_catalog_publish import an_event, an_occurrence, an_organizer, catalog_api, signed_in

pytestmark = pytest.mark.integration

# Each alone passes every rule of the domain; each overflowed PostgreSQL's integer (a 500).
TOO_LARGE: list[tuple[dict[str, Any], str, str]] = [
    (an_event(an_occurrence(10, capacity=2**31)), "occurrences.0.capacity", "10000"),
    (an_event(duration_minutes=10**12), "duration_minutes", "1440"),
    (an_event(max_group_size=10**12), "max_group_size", "1100"),
    (an_event(needed_occurrences=2**31), "needed_occurrences", "52"),
    (an_event(cancellation_deadline_days=2**40), "cancellation_deadline_days", "365"),
]


async def test_counts_beyond_their_bounds_are_refused_naming_the_field_and_the_bound(
    servers: Servers, topic_prefix: str, new_schema
) -> None:
    async with catalog_api(servers, topic_prefix, new_schema) as (client, _):
        organizer = signed_in(await an_organizer(client))
        answers = [
            await client.post("/events", json=body, headers=organizer) for body, _, _ in TOO_LARGE
        ]
        drafts = await client.get("/events/mine", headers=organizer)
    for answer, (_, field, bound) in zip(answers, TOO_LARGE, strict=True):
        assert answer.status_code == 422, (field, answer.status_code, answer.text)
        [error] = answer.json()["errors"]
        assert error["field"] == field
        assert error["message"].startswith(f"must be at most {bound}, not ")
        assert f"{field}: must be at most {bound}" in answer.json()["detail"]
    assert drafts.json() == [], "nothing half-written"
