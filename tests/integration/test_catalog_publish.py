"""Organizers publish events with occurrences, and every change reaches the bus, in order."""

import asyncio
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from kulturbro_cli.services import load_service
from kulturbro_contracts import Event, SeatsAllocated, SeatsReleased, parse_event, serialize_event
from kulturbro_contracts.allocation import Allocation, Release
from kulturbro_devstack.testing import (
    Servers,
    identity_headers,
    read_topic,
    running,
    service_env,
    service_settings,
)

from .conftest import query

pytestmark = pytest.mark.integration

Headers = dict[str, str]


@asynccontextmanager
async def catalog_api(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """The catalog running in this process on its own schema, which it also yields."""
    service, schema = load_service("catalog"), new_schema("catalog")
    settings = service_settings(service, service_env(servers, topic_prefix, schema))
    async with running(service, settings) as client:
        yield client, schema


async def an_organizer(
    client: httpx.AsyncClient, municipality: str = "malmo", name: str = "Stadsteatern"
) -> str:
    """An organizer the municipality's administrator registered: its id."""
    created = await client.post(
        "/organizers",
        json={"name": name, "kind": "theatre", "contact_email": "bokning@example.org"},
        headers=identity_headers("administrator", municipality),
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def signed_in(organizer_id: str, municipality: str = "malmo") -> Headers:
    return identity_headers("organizer", municipality, organizer_id=organizer_id)


def in_days(days: float) -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=days)


def an_occurrence(days: float, capacity: int = 90, language: str = "sv") -> dict[str, Any]:
    starts = in_days(days)
    return {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(minutes=50)).isoformat(),
        "capacity": capacity,
        "language": language,
    }


def details(**changes: Any) -> dict[str, Any]:
    return {
        "title": {"sv": "Pippi på scen", "fi": "Peppi lavalla"},
        "description": {"sv": "Om styrka och vänskap.", "fi": "Vahvuudesta ja ystävyydestä."},
        "category": "theatre",
        "target_groups": ["grade_1", "grade_2"],
        "duration_minutes": 50,
        "venue": {"name": "Stadsteatern", "district": "Centrum", "step_free": True},
        "max_group_size": 30,
        "adults_per_group": 2,
        "booking_policy": "instant",
    } | changes


def an_event(*occurrences: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return details(**changes) | {"occurrences": list(occurrences)}


async def a_published_event(
    client: httpx.AsyncClient, organizer: Headers, body: dict[str, Any]
) -> dict[str, Any]:
    drafted = await client.post("/events", json=body, headers=organizer)
    assert drafted.status_code == 201, drafted.text
    published = await client.post(f"/events/{drafted.json()['id']}/publish", headers=organizer)
    assert published.status_code == 200, published.text
    return dict(published.json())


async def tell(servers: Servers, topic_prefix: str, *events: Event) -> None:
    """Put events on the bus as the service that owns them would."""
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(
                event.topic(topic_prefix), serialize_event(event), key=event.key().encode()
            )
    finally:
        await producer.stop()


async def until(servers: Servers, sql: str, expected: object) -> None:
    for _ in range(150):
        if query(servers.database_url, sql) == [(expected,)]:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{sql} never gave {expected}")


LISTENER = textwrap.dedent(
    """
    import asyncio, sys
    from kulturbro_devstack.testing import read_topic

    records = asyncio.run(read_topic(sys.argv[1], sys.argv[2], expect=2, timeout=60))
    for record in records:
        print(record.key.decode(), record.value.decode(), flush=True)
    """
)


async def test_an_event_published_with_two_occurrences_reaches_another_process(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    listener = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        LISTENER,
        servers.kafka_bootstrap_servers,
        f"{topic_prefix}.catalog.v1",
        stdout=asyncio.subprocess.PIPE,
    )
    async with catalog_api(servers, topic_prefix, new_schema) as (client, _):
        organizer = signed_in(await an_organizer(client))
        body = an_event(an_occurrence(30), an_occurrence(31, language="fi"))
        event = await a_published_event(client, organizer, body)
        heard, _ = await asyncio.wait_for(listener.communicate(), timeout=90)
    assert listener.returncode == 0
    lines = heard.decode().splitlines()
    told = {parse_event(line.partition(" ")[2].encode()).event_type: line for line in lines}
    assert set(told) == {"OrganizerRegistered", "EventPublished"}
    key, _, value = told["EventPublished"].partition(" ")
    published = parse_event(value.encode())
    assert published.event_type == "EventPublished"
    assert key == event["id"]
    assert published.municipality_id == "malmo"
    payload = published.payload
    assert [g.value for g in payload.target_groups] == ["grade_1", "grade_2"]
    assert [str(o.occurrence_id) for o in payload.occurrences] == [
        o["id"] for o in event["occurrences"]
    ]
    assert [o.language.value for o in payload.occurrences] == ["sv", "fi"]
    assert event["status"] == "published"


async def test_changes_to_a_published_event_are_told_in_order_and_booked_ones_are_cancelled(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    async with catalog_api(servers, topic_prefix, new_schema) as (client, schema):
        organizer = signed_in(await an_organizer(client))
        event = await a_published_event(
            client, organizer, an_event(an_occurrence(30), an_occurrence(31))
        )
        booked, other = (UUID(o["id"]) for o in event["occurrences"])
        allocation = Allocation(
            booking_id=uuid4(),
            event_id=UUID(event["id"]),
            occurrence_id=booked,
            group_id=uuid4(),
            unit_id=uuid4(),
            seats=26,
            explanation={"sv": "Först till kvarn."},
        )
        release = Release(
            booking_id=allocation.booking_id,
            event_id=allocation.event_id,
            occurrence_id=booked,
            seats=6,
        )
        await tell(
            servers,
            topic_prefix,
            SeatsAllocated(municipality_id="malmo", payload=allocation),
            SeatsReleased(municipality_id="malmo", payload=release),
            SeatsAllocated(municipality_id="espoo", payload=allocation),
        )
        await until(servers, f'select count(*) from "{schema}".inbox', 3)
        url = f"/events/{event['id']}"
        seats = (await client.get(url, headers=organizer)).json()["occurrences"][0]
        assert (seats["booked_seats"], seats["free_seats"]) == (20, 70), (
            "another municipality's allocation leaves this event alone"
        )

        removed = await client.delete(
            f"{url}/occurrences/{booked}?reason=sjukdom", headers=organizer
        )
        added = await client.post(f"{url}/occurrences", json=an_occurrence(40), headers=organizer)
        moved = await client.put(
            f"{url}/occurrences/{other}", json=an_occurrence(32, capacity=100), headers=organizer
        )
        revised = await client.put(
            url, json=details(title={"en": "Pippi on stage"}), headers=organizer
        )
        cancelled = await client.post(f"{url}/cancel", json={"reason": "fire"}, headers=organizer)
        too_late = await client.post(
            f"{url}/occurrences", json=an_occurrence(50), headers=organizer
        )
        records = await read_topic(
            servers.kafka_bootstrap_servers, f"{topic_prefix}.catalog.v1", expect=7
        )
    answers = (removed, added, moved, revised, cancelled)
    assert [a.status_code for a in answers] == [200, 201, 200, 200, 200], [a.text for a in answers]
    kept = {o["id"]: o for o in removed.json()["occurrences"]}
    assert kept[str(booked)]["cancelled"] is True, "cancelled, never deleted"
    assert kept[str(booked)]["booked_seats"] == 20
    assert too_late.status_code == 409
    assert "cancelled" in too_late.json()["detail"]
    # The organizer's contact (for its mail) travels under the organizer's key, so in its own
    # order; the event's facts keep theirs.
    joined = [r for r in records if parse_event(r.value).event_type == "OrganizerRegistered"]
    records = [r for r in records if r not in joined]
    assert len(joined) == 1
    told = [parse_event(r.value) for r in records]
    assert [e.event_type for e in told] == [
        "EventPublished",
        "OccurrenceCancelled",
        "OccurrenceScheduled",
        "OccurrenceChanged",
        "EventChanged",
        "EventCancelled",
    ]
    assert {r.key.decode() for r in records} == {event["id"]}
    assert told[1].payload.reason == "sjukdom"
    assert told[3].payload.occurrence.capacity == 100
    assert [str(o.occurrence_id) for o in told[4].payload.occurrences] == [
        str(other),
        added.json()["occurrences"][-1]["id"],
    ], "the changed event lists only the occurrences that take place"
    assert cancelled.json()["version"] == event["version"] + 5


async def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    backwards = an_occurrence(30) | {"ends_at": in_days(29).isoformat()}
    small = an_occurrence(31, capacity=20)
    small_starts = datetime.fromisoformat(small["starts_at"])
    window = {
        "booking_policy": "fair_draw",
        "booking_opens_at": in_days(1).isoformat(),
        "booking_closes_at": in_days(20).isoformat(),
    }
    async with catalog_api(servers, topic_prefix, new_schema) as (client, schema):
        organizer = signed_in(await an_organizer(client))
        refused = {
            "ends before it starts": await client.post(
                "/events",
                json=an_event(backwards, small),
                headers=organizer,
            ),
            "unknown target group": await client.post(
                "/events", json=an_event(target_groups=["grade_10"]), headers=organizer
            ),
            "inside the window": await client.post(
                "/events", json=an_event(an_occurrence(10), **window), headers=organizer
            ),
            "no time zone": await client.post(
                "/events",
                json=an_event(an_occurrence(30) | {"starts_at": "2030-03-01T09:00:00"}),
                headers=organizer,
            ),
        }
        empty = await client.post("/events", json=an_event(), headers=organizer)
        publish_empty = await client.post(
            f"/events/{empty.json()['id']}/publish", headers=organizer
        )
        teacher = await client.post(
            "/events", json=an_event(), headers=identity_headers("teacher", "malmo", str(uuid4()))
        )
        anonymous = await client.get("/events/mine")
        mine = await client.get("/events/mine", headers=organizer)
    said = {reason: answer.json()["detail"] for reason, answer in refused.items()}
    assert {answer.status_code for answer in refused.values()} == {422}
    assert said["ends before it starts"] == (
        "occurrences.0.ends_at: an occurrence must end after it starts; "
        f"occurrences.1.capacity: the occurrence starting {small_starts:%Y-%m-%d %H:%M} UTC has "
        "20 seats, fewer than the maximum group size (30), so a whole group would not fit"
    )
    assert said["unknown target group"].startswith("target_groups.0: Input should be")
    assert said["inside the window"].startswith("occurrences.0.starts_at: the occurrence starting")
    assert "before the request window closes" in said["inside the window"]
    assert said["no time zone"].startswith("occurrences.0.starts_at: Input should have timezone")
    assert publish_empty.status_code == 422
    assert publish_empty.json()["detail"] == "occurrences: add at least one occurrence to publish"
    assert teacher.status_code == 403
    assert anonymous.status_code == 401
    assert [e["status"] for e in mine.json()] == ["draft"], "nothing half-written"
    told = query(servers.database_url, f'select event_type from "{schema}".outbox')
    assert told == [("OrganizerRegistered",)], "no event of the refused ones"


async def test_an_organizer_touches_only_its_own_events_and_only_where_it_belongs(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    async with catalog_api(servers, topic_prefix, new_schema) as (client, _):
        theatre_id = await an_organizer(client, name="Stadsteatern")
        theatre = signed_in(theatre_id)
        museum = signed_in(await an_organizer(client, name="Konstmuseet"))
        event = await a_published_event(client, theatre, an_event(an_occurrence(30)))
        url = f"/events/{event['id']}"
        others = [
            await client.get(url, headers=museum),
            await client.post(f"{url}/cancel", json={}, headers=museum),
            await client.delete(
                f"{url}/occurrences/{event['occurrences'][0]['id']}", headers=museum
            ),
        ]
        museums_own = await client.get("/events/mine", headers=museum)
        second = await a_published_event(client, theatre, an_event(an_occurrence(40)))
        draft = await client.post("/events", json=an_event(an_occurrence(50)), headers=theatre)
        published_pages = [
            await client.get(
                "/events/mine/page",
                params={"status": "published", "page": page, "page_size": 1},
                headers=theatre,
            )
            for page in (1, 2, 3)
        ]
        museums_page = await client.get(
            "/events/mine/page", params={"status": "published"}, headers=museum
        )
        elsewhere = signed_in(theatre_id, "espoo")
        before_joining = await client.get("/events/mine", headers=elsewhere)
        espoo = identity_headers("administrator", "espoo")
        find = {"q": "stads_"}, {"q": "STADS"}
        found_before = [
            await client.get("/organizers/registered", params=p, headers=espoo) for p in find
        ]
        joined = await client.put(
            f"/organizers/{theatre_id}/municipality",
            headers=identity_headers("administrator", "espoo"),
        )
        in_espoo = await client.get("/events/mine", headers=elsewhere)
        espoo_sees = await client.get(url, headers=elsewhere)
        espoo_list = await client.get(
            "/organizers", headers=identity_headers("administrator", "espoo")
        )
        found_after = await client.get("/organizers/registered", params=find[1], headers=espoo)
    assert [answer.status_code for answer in others] == [404, 404, 404]
    assert museums_own.json() == []
    # A page of one status at a time, newest first, with how many there are; never the draft.
    assert [p.json()["total"] for p in published_pages] == [2, 2, 2]
    assert [[e["id"] for e in p.json()["items"]] for p in published_pages] == [
        [second["id"]],
        [event["id"]],
        [],
    ]
    assert draft.status_code == 201
    assert museums_page.json()["total"] == 0
    assert before_joining.status_code == 403
    assert "not part of espoo's offering" in before_joining.json()["detail"]
    assert joined.status_code == 200
    assert in_espoo.json() == [], "an organizer's events stay in the municipality they are for"
    assert espoo_sees.status_code == 404
    assert [o["name"] for o in espoo_list.json()] == ["Stadsteatern"]
    assert found_before[0].json() == [], "_ in the words is an underscore, not any character"
    assert [(o["name"], o["in_your_offering"]) for o in found_before[1].json()] == [
        ("Stadsteatern", False)
    ]
    assert "contact_email" not in found_before[1].json()[0]
    assert [o["in_your_offering"] for o in found_after.json()] == [True]


async def test_concurrent_changes_to_one_event_take_turns_and_none_is_lost(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    async with catalog_api(servers, topic_prefix, new_schema) as (client, _):
        organizer = signed_in(await an_organizer(client))
        event = await a_published_event(client, organizer, an_event(an_occurrence(30)))
        url = f"/events/{event['id']}/occurrences"
        added = await asyncio.gather(
            *(client.post(url, json=an_occurrence(31 + n), headers=organizer) for n in range(6))
        )
        now = (await client.get(f"/events/{event['id']}", headers=organizer)).json()
    assert [answer.status_code for answer in added] == [201] * 6
    assert len(now["occurrences"]) == 7
    assert now["version"] == event["version"] + 6


async def test_an_event_whose_booking_window_has_closed_is_not_published(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    closed = in_days(-1)
    async with catalog_api(servers, topic_prefix, new_schema) as (client, schema):
        organizer = signed_in(await an_organizer(client))
        body = an_event(an_occurrence(30), booking_closes_at=closed.isoformat())
        drafted = await client.post("/events", json=body, headers=organizer)
        url = f"/events/{drafted.json()['id']}"
        refused = await client.post(f"{url}/publish", headers=organizer)
        reopened = await client.put(
            url, json=details(booking_closes_at=in_days(20).isoformat()), headers=organizer
        )
        published = await client.post(f"{url}/publish", headers=organizer)
    assert drafted.status_code == 201, "a draft may hold a window still to be fixed"
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        f"booking_closes_at: booking closed {closed:%Y-%m-%d %H:%M} UTC, so no teacher invited "
        "now could book; give a closing time to come, or none to take bookings until the "
        "occurrences start"
    )
    assert refused.json()["errors"][0]["field"] == "booking_closes_at"
    assert reopened.status_code == 200, reopened.text
    assert published.status_code == 200, published.text
    told = query(servers.database_url, f'select event_type from "{schema}".outbox order by id')
    assert told == [("OrganizerRegistered",), ("EventPublished",)], "once, when it could be booked"
