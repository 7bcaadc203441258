"""The culture office's outreach settings per event: refused when wrong, told when right."""

from collections.abc import Callable
from datetime import timedelta

import pytest

from kulturbro_devstack.testing import Servers, identity_headers

from .test_catalog_publish import (
    a_published_event,
    an_event,
    an_occurrence,
    an_organizer,
    catalog_api,
    in_days,
    signed_in,
)

pytestmark = pytest.mark.integration


def office() -> dict[str, str]:
    """Signed as the request goes out: an identity lives 60 s, and a long run reaches this late."""
    return identity_headers("administrator", "malmo")


def a_drawn_event(**changes: object) -> dict:
    return an_event(
        an_occurrence(30),
        booking_policy="fair_draw",
        booking_opens_at=in_days(1).isoformat(),
        booking_closes_at=in_days(10).isoformat(),
        **changes,
    )


async def test_bad_outreach_settings_are_refused_naming_the_field_and_change_nothing(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    async with catalog_api(servers, topic_prefix, new_schema) as (client, _):
        organizer = signed_in(await an_organizer(client))
        too_much = await client.post(
            "/events", json=a_drawn_event(held_back_share=101), headers=organizer
        )
        assert too_much.status_code == 422
        assert too_much.json()["detail"] == "held_back_share: must be at most 100, not 101"
        too_soon = await client.post(
            "/events",
            json=a_drawn_event(quota_release_on=in_days(2).date().isoformat()),
            headers=organizer,
        )
        assert too_soon.status_code == 422
        assert too_soon.json()["errors"][0]["field"] == "quota_release_on"
        event = await a_published_event(client, organizer, a_drawn_event(held_back_share=20))
        assert event["held_back_share"] == 20
        path = f"/events/{event['id']}/outreach"
        closing_day = in_days(10).date()

        negative = await client.put(path, json={"held_back_share": -5}, headers=office())
        assert negative.status_code == 422
        assert negative.json()["detail"] == "held_back_share: must be at least 0, not -5"
        early = await client.put(
            path,
            json={"held_back_share": 20, "held_back_release_on": closing_day.isoformat()},
            headers=office(),
        )
        assert early.status_code == 422
        assert early.json()["errors"][0]["field"] == "held_back_release_on"
        assert "is not after the booking window closes" in early.json()["detail"]
        assert "give a later day" in early.json()["detail"]
        by_organizer = await client.put(path, json={"held_back_share": 30}, headers=organizer)
        assert by_organizer.status_code == 403, "the release days are the culture office's"
        elsewhere = await client.put(
            path, json={"held_back_share": 30}, headers=identity_headers("administrator", "lund")
        )
        assert elsewhere.status_code == 404

        listed = (await client.get(f"/public/events/{event['id']}")).json()
        assert listed["held_back_share"] == 20, "nothing changed"
        assert (
            listed["held_back_release_on"] == (in_days(10) + timedelta(days=7)).date().isoformat()
        )
        assert listed["quota_release_on"] == (in_days(10) + timedelta(days=3)).date().isoformat()

        later = (closing_day + timedelta(days=4)).isoformat()
        changed = await client.put(
            path, json={"held_back_share": 30, "held_back_release_on": later}, headers=office()
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["held_back_share"] == 30
        listed = (await client.get(f"/public/events/{event['id']}")).json()
        assert (listed["held_back_share"], listed["held_back_release_on"]) == (30, later)
