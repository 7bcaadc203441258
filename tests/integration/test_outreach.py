"""Outreach end to end: the draw holds seats back for groups that never ask, their teachers accept
the offer through the API and are seated at once, and on the release day the rest goes to the
waiting list."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import pytest

from kulturbro_contracts import OccurrenceCancelled
from kulturbro_contracts.catalog import EventChanged, OccurrenceCancellation
from kulturbro_contracts.vocabulary import BookingPolicy, TargetGroup
from kulturbro_devstack.facts import MUNICIPALITY, an_event, group_with_teacher, publish, school
from kulturbro_devstack.testing import Servers

from .conftest import until_rows
from .test_booking_allocation import _has, platform, teacher, until  # noqa: F401

pytestmark = pytest.mark.integration


async def offers_of(client: httpx.AsyncClient, teacher_id: UUID) -> list[dict]:
    answer = await client.get("/offers/mine", headers=teacher(teacher_id))
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def test_held_back_seats_are_offered_accepted_at_once_and_the_rest_released_on_the_day(
    servers: Servers,
    platform,  # noqa: F811
) -> None:
    publisher, booking_api, _, booking_schema = platform
    north, east, west = school("Norr"), school("Öster"), school("Väster")
    asking = [group_with_teacher(north.payload.unit_id, 20) for _ in range(3)]
    g_east, t_east, east_facts = group_with_teacher(east.payload.unit_id, 20)
    g_west, t_west, west_facts = group_with_teacher(west.payload.unit_id, 20)
    _, t_older, older_facts = group_with_teacher(west.payload.unit_id, 20, TargetGroup.GRADE_9)
    drawn = an_event([84], policy=BookingPolicy.FAIR_DRAW, closes_in=timedelta(seconds=20))
    release_day = datetime.now(UTC).date() + timedelta(days=2)
    # Half the seats held back: 42, room for the two classes that never ask (20 + 1 adult each).
    event = drawn.model_copy(
        update={
            "payload": drawn.payload.model_copy(
                update={"held_back_share": 50, "held_back_release_on": release_day}
            )
        }
    )
    facts = [north, east, west, *(f for _, _, fs in asking for f in fs)]
    await publish(publisher, [*facts, *east_facts, *west_facts, *older_facts, event])
    await until_rows(servers.database_url, booking_schema, "replica_teacher_group", 6)
    await until_rows(servers.database_url, booking_schema, "replica_event", 1)
    occurrence = str(event.payload.occurrences[0].occurrence_id)
    booked = []
    for group_id, teacher_id, _ in asking:
        answer = await booking_api.post(
            "/bookings",
            json={
                "group_id": str(group_id),
                "event_id": str(event.payload.event_id),
                "occurrence_ids": [occurrence],
                "pupils": 20,
                "adults": 1,
            },
            headers=teacher(teacher_id),
        )
        assert answer.status_code == 202, answer.text
        booked.append((teacher_id, answer.json()["id"]))

    # The draw seats two of the three asking classes in the 42 seats it has; 42 are held.
    east_offers = await until(lambda: offers_of(booking_api, t_east), timeout=60)
    assert east_offers, "the class that never asked is offered a place"
    offered = east_offers[0]
    assert (offered["state"], offered["seats"], offered["occurrence_id"]) == (
        "open",
        21,
        occurrence,
    )
    assert offered["group_id"] == str(g_east) and offered["starts_at"]
    assert "no culture visit this school year" in offered["explanation"]["en"]
    west_offer = (await until(lambda: offers_of(booking_api, t_west)))[0]
    assert west_offer["group_id"] == str(g_west)
    waiting = [
        w for t, b in booked if (w := await _has(booking_api, t, b, "waitlisted")) is not None
    ]
    assert len(waiting) == 1
    assert "The draw left out 42 seats" in waiting[0]["explanation"]["en"]

    # Another teacher can neither see nor accept it; nothing changes.
    offer_path = f"/offers/{offered['offer_id']}"
    assert (await booking_api.get(offer_path, headers=teacher(t_older))).status_code == 403
    stranger = await booking_api.post(f"{offer_path}/accept", headers=teacher(t_older))
    assert stranger.status_code == 403, stranger.text
    assert (await booking_api.get(offer_path, headers=teacher(t_east))).json()["state"] == "open"

    # Its own teacher accepts through the API and the class is seated at once.
    accepted = await booking_api.post(f"{offer_path}/accept", headers=teacher(t_east))
    assert accepted.status_code == 202, accepted.text
    booking_id = accepted.json()["id"]
    seated = await until(lambda: _has(booking_api, t_east, booking_id, "confirmed"))
    assert seated and seated["occurrence_id"] == occurrence
    assert "accepted them before the deadline" in seated["explanation"]["en"]
    again = await booking_api.post(f"{offer_path}/accept", headers=teacher(t_east))
    assert again.status_code == 409 and "accepted already" in again.json()["detail"]
    assert (await booking_api.get(offer_path, headers=teacher(t_east))).json()["state"] == (
        "accepted"
    )

    # The release day comes: the offer not taken expires, its seats go to the waiting class.
    await publish(
        publisher,
        [
            EventChanged(
                municipality_id=MUNICIPALITY,
                payload=event.payload.model_copy(
                    update={"held_back_release_on": datetime.now(UTC).date() - timedelta(days=1)}
                ),
            )
        ],
    )
    waiting_teacher, waiting_booking = next((t, b) for t, b in booked if b == waiting[0]["id"])
    promoted = await until(
        lambda: _has(booking_api, waiting_teacher, waiting_booking, "confirmed"), timeout=60
    )
    assert promoted and "On the release date" in promoted["explanation"]["en"]

    async def west_expired() -> bool:
        return (await offers_of(booking_api, t_west))[0]["state"] == "expired"

    assert await until(west_expired)
    late = await booking_api.post(
        f"/offers/{west_offer['offer_id']}/accept", headers=teacher(t_west)
    )
    assert late.status_code == 410, late.text
    assert (await offers_of(booking_api, t_west))[0]["booking_id"] is None, "nothing changed"


async def test_an_offer_at_a_cancelled_occurrence_is_withdrawn_and_can_no_longer_be_accepted(
    servers: Servers,
    platform,  # noqa: F811
) -> None:
    publisher, booking_api, _, booking_schema = platform
    east = school("Öster")
    _, t_east, east_facts = group_with_teacher(east.payload.unit_id, 20)
    drawn = an_event([42, 42], policy=BookingPolicy.FAIR_DRAW, closes_in=timedelta(seconds=15))
    event = drawn.model_copy(
        update={"payload": drawn.payload.model_copy(update={"held_back_share": 50})}
    )
    await publish(publisher, [east, *east_facts, event])
    await until_rows(servers.database_url, booking_schema, "replica_teacher_group", 1)
    (offered,) = await until(lambda: offers_of(booking_api, t_east), timeout=60)
    assert offered["state"] == "open"
    await publish(
        publisher,
        [
            OccurrenceCancelled(
                municipality_id=MUNICIPALITY,
                payload=OccurrenceCancellation(
                    event_id=event.payload.event_id, occurrence_id=UUID(offered["occurrence_id"])
                ),
            )
        ],
    )

    async def withdrawn() -> dict | None:
        (now,) = await offers_of(booking_api, t_east)
        return now if now["state"] == "withdrawn" else None

    told = await until(withdrawn)
    assert told and "cancelled" in told["explanation"]["en"]
    late = await booking_api.post(f"/offers/{offered['offer_id']}/accept", headers=teacher(t_east))
    assert late.status_code == 410 and "withdrawn" in late.json()["detail"]
