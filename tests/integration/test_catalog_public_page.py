"""The public event page in the minute a popular event opens: kept a few seconds by the catalog,
answered with an ETag and Cache-Control (through the gateway too), and a copy the client has
answered with 304; an organizer's change shows at once, and seats given out within the few
seconds it says."""

import asyncio
from collections.abc import Callable
from uuid import UUID, uuid4

import httpx
import pytest

from catalog.public_pages import SECONDS
from kulturbro_cli.services import load_service
from kulturbro_contracts import SeatsAllocated
from kulturbro_contracts.allocation import Allocation
from kulturbro_devstack.testing import Servers, service_env, service_settings, serving

from .test_catalog_publish import (
    a_published_event,
    an_event,
    an_occurrence,
    an_organizer,
    catalog_api,
    details,
    signed_in,
    tell,
    until,
)
from .test_gateway import platform

pytestmark = pytest.mark.integration


async def test_the_page_is_kept_a_few_seconds_and_a_client_copy_is_answered_with_304(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    async with catalog_api(servers, topic_prefix, new_schema) as (client, schema):
        organizer = signed_in(await an_organizer(client))
        event = await a_published_event(client, organizer, an_event(an_occurrence(30)))
        page = f"/public/events/{event['id']}"
        first = await client.get(page)
        again = await client.get(page, headers={"If-None-Match": first.headers["ETag"]})
        other_copy = await client.get(page, headers={"If-None-Match": '"not-this-one"'})

        revised = await client.put(
            f"/events/{event['id']}", json=details(title={"sv": "Ny titel"}), headers=organizer
        )
        assert revised.status_code == 200, revised.text
        after_change = await client.get(page)
        stale_copy = await client.get(page, headers={"If-None-Match": first.headers["ETag"]})

        allocation = Allocation(
            booking_id=uuid4(),
            event_id=UUID(event["id"]),
            occurrence_id=UUID(event["occurrences"][0]["id"]),
            group_id=uuid4(),
            unit_id=uuid4(),
            seats=26,
            explanation={"sv": "Först till kvarn."},
        )
        await tell(
            servers, topic_prefix, SeatsAllocated(municipality_id="malmo", payload=allocation)
        )
        await until(servers, f'select count(*) from "{schema}".inbox', 1)
        await asyncio.sleep(SECONDS)
        seats_given = await client.get(page)

    assert first.status_code == 200, first.text
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert int(first.headers["Cache-Control"].rsplit("=", 1)[1]) <= SECONDS
    assert first.json()["occurrences"][0]["free_seats"] == 90
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["ETag"] == first.headers["ETag"]
    assert other_copy.status_code == 200
    assert other_copy.content == first.content

    assert after_change.json()["title"] == {"sv": "Ny titel"}, "an organizer's change at once"
    assert after_change.headers["ETag"] != first.headers["ETag"]
    assert stale_copy.status_code == 200
    assert seats_given.json()["occurrences"][0]["free_seats"] == 90 - 26


async def test_through_the_gateway_a_browser_gets_the_etag_and_its_copy_is_answered_304(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    catalog = load_service("catalog")
    settings = service_settings(catalog, service_env(servers, topic_prefix, new_schema("catalog")))
    async with (
        serving(catalog, settings) as url,
        httpx.AsyncClient(base_url=url) as direct,
        platform(servers, topic_prefix, new_schema, {"catalog": url}) as through,
    ):
        organizer = signed_in(await an_organizer(direct))
        event = await a_published_event(direct, organizer, an_event(an_occurrence(30)))
        page = f"/api/catalog/public/events/{event['id']}"
        first = await through.gateway.get(page)
        again = await through.gateway.get(page, headers={"If-None-Match": first.headers["ETag"]})
    assert first.status_code == 200, first.text
    assert first.json()["id"] == event["id"]
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["ETag"] == first.headers["ETag"]
