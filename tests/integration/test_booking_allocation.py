"""Teachers book through the booking API; the allocation decides, explains and promotes."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest

from kulturbro_cli.services import load_service
from kulturbro_contracts import OccurrenceCancelled, OccurrenceChanged, parse_event, topic_name
from kulturbro_contracts.booking import AttendanceRecorded, EvaluationSubmitted, Question
from kulturbro_contracts.catalog import OccurrenceCancellation, OccurrenceOfEvent
from kulturbro_contracts.directory import Municipality, MunicipalityRegistered
from kulturbro_contracts.vocabulary import BookingPolicy, Language, TargetGroup
from kulturbro_devstack.facts import MUNICIPALITY, an_event, group_with_teacher, publish, school
from kulturbro_devstack.testing import (
    Servers,
    identity_headers,
    read_topic,
    running,
    service_env,
    service_settings,
)
from kulturbro_runtime.localization import local_when
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.service import Service

from .conftest import query, until_rows

pytestmark = pytest.mark.integration


def teacher(teacher_id: UUID) -> dict[str, str]:
    return identity_headers("teacher", MUNICIPALITY, subject=str(teacher_id))


async def until(check, timeout: float = 40.0):  # type: ignore[no-untyped-def]
    """Poll an async check until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.2)


async def status_of(client: httpx.AsyncClient, teacher_id: UUID, booking_id: str) -> dict:
    mine = (await client.get("/bookings/mine", headers=teacher(teacher_id))).json()
    return next(b for b in mine if b["id"] == booking_id)


@pytest.fixture
async def platform(servers: Servers, topic_prefix: str, new_schema, probe: Service):  # type: ignore[no-untyped-def]
    booking, allocation = load_service("booking"), load_service("allocation")
    booking_schema = new_schema("booking")
    publisher_settings = service_settings(
        probe, service_env(servers, topic_prefix, new_schema("publisher"))
    )
    probe.migrate(publisher_settings)
    publisher = Runtime("publisher", publisher_settings, handlers={})
    await publisher.start()
    async with (
        running(
            booking, service_settings(booking, service_env(servers, topic_prefix, booking_schema))
        ) as booking_api,
        running(
            allocation,
            service_settings(
                allocation, service_env(servers, topic_prefix, new_schema("allocation"))
            ),
        ) as allocation_api,
    ):
        yield publisher, booking_api, allocation_api, booking_schema
    await publisher.stop()


async def test_book_wait_cancel_and_promote_with_reasons_in_three_languages(
    servers: Servers, platform
) -> None:
    publisher, booking_api, allocation_api, booking_schema = platform
    unit = school("Norr")
    g1, t1, facts1 = group_with_teacher(unit.payload.unit_id, 20)
    g2, t2, facts2 = group_with_teacher(unit.payload.unit_id, 25)
    g3, t3, facts3 = group_with_teacher(unit.payload.unit_id, 20, TargetGroup.GRADE_5)
    event = an_event([30])
    await publish(publisher, [unit, *facts1, *facts2, *facts3, event])
    occurrence = str(event.payload.occurrences[0].occurrence_id)

    async def replicated() -> bool:
        groups = query(
            servers.database_url, f'select count(*) from "{booking_schema}".replica_teacher_group'
        )
        events = query(
            servers.database_url, f'select count(*) from "{booking_schema}".replica_event'
        )
        return groups == [(3,)] and events == [(1,)]

    assert await until(replicated)

    def body(group: UUID, pupils: int, adults: int = 2) -> dict:
        return {
            "group_id": str(group),
            "event_id": str(event.payload.event_id),
            "occurrence_ids": [occurrence],
            "pupils": pupils,
            "adults": adults,
        }

    first = await booking_api.post(
        "/bookings", json=body(g1, 20), headers=teacher(t1) | {"Idempotency-Key": "k1"}
    )
    retried = await booking_api.post(
        "/bookings", json=body(g1, 20), headers=teacher(t1) | {"Idempotency-Key": "k1"}
    )
    # The same retry racing itself: one booking, and every attempt answered with it.
    racing = await asyncio.gather(
        *(
            booking_api.post(
                "/bookings", json=body(g2, 20), headers=teacher(t2) | {"Idempotency-Key": "k2"}
            )
            for _ in range(4)
        )
    )
    second = racing[0]
    wrong_target = await booking_api.post("/bookings", json=body(g3, 20), headers=teacher(t3))
    not_mine = await booking_api.post("/bookings", json=body(g2, 20), headers=teacher(t1))
    too_big = await booking_api.post("/bookings", json=body(g1, 25, 6), headers=teacher(t1))
    assert first.status_code == 202, first.text
    assert retried.json()["id"] == first.json()["id"], "a retried request books nothing new"
    assert [r.status_code for r in racing] == [202] * 4, [r.text for r in racing]
    assert len({r.json()["id"] for r in racing}) == 1
    assert wrong_target.status_code == 422 and "target group" in wrong_target.json()["detail"]
    assert not_mine.status_code == 403
    assert too_big.status_code == 422

    b1, b2 = first.json()["id"], second.json()["id"]
    confirmed = await until(lambda: _has(booking_api, t1, b1, "confirmed"))
    waiting = await until(lambda: _has(booking_api, t2, b2, "waitlisted"))
    assert confirmed["occurrence_id"] == occurrence
    assert (
        confirmed["explanation"]["sv"]
        and confirmed["explanation"]["fi"]
        and confirmed["explanation"]["en"]
    )
    assert waiting["waitlist_position"] == 1

    cancelled = await booking_api.delete(f"/bookings/{b1}", headers=teacher(t1))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    # It explains itself as cancelled now, no longer as the seats it got.
    explained = cancelled.json()["explanation"]
    assert explained["en"] == (
        "The booking was cancelled by the teacher who made it. Its seats were given back for "
        "other groups."
    )
    assert "avbokades av läraren" in explained["sv"] and "opettaja perui" in explained["fi"]
    assert (await status_of(booking_api, t1, b1))["explanation"] == explained
    promoted = await until(lambda: _has(booking_api, t2, b2, "confirmed"))
    assert promoted["occurrence_id"] == occurrence
    withdrawn = await allocation_api.get(f"/bookings/{b1}/decision", headers=teacher(t1))
    assert withdrawn.json()["status"] == "cancelled"
    assert withdrawn.json()["explanation"] == explained
    decision = await allocation_api.get(f"/bookings/{b2}/decision?language=fi", headers=teacher(t2))
    assert decision.json()["status"] == "confirmed"
    assert list(decision.json()["explanation"]) == ["fi"]
    others = await allocation_api.get(f"/bookings/{b2}/decision", headers=teacher(t1))
    assert others.status_code == 404, "a teacher sees only their own decisions"
    admin = identity_headers("administrator", MUNICIPALITY)
    figures = (await allocation_api.get("/fairness", headers=admin)).json()
    assert figures["capacity_used"] == pytest.approx(22 / 30)


async def _has(
    client: httpx.AsyncClient, teacher_id: UUID, booking_id: str, status: str
) -> dict | None:
    found = await status_of(client, teacher_id, booking_id)
    return found if found["status"] == status else None


async def test_a_fair_draw_decides_when_the_window_closes_and_can_be_audited(
    servers: Servers, platform
) -> None:
    publisher, booking_api, allocation_api, booking_schema = platform
    north, south = school("Norr"), school("Söder")
    groups = [group_with_teacher(north.payload.unit_id, 20) for _ in range(3)]
    groups += [group_with_teacher(south.payload.unit_id, 20)]
    event = an_event([44], policy=BookingPolicy.FAIR_DRAW, closes_in=timedelta(seconds=20))
    facts = [north, south, *(f for _, _, fs in groups for f in fs), event]
    await publish(publisher, facts)
    occurrence = str(event.payload.occurrences[0].occurrence_id)

    async def replicated() -> bool:
        return query(
            servers.database_url, f'select count(*) from "{booking_schema}".replica_teacher_group'
        ) == [(4,)] and query(
            servers.database_url, f'select count(*) from "{booking_schema}".replica_event'
        ) == [(1,)]

    assert await until(replicated)
    booked = []
    for group_id, teacher_id, _ in groups:
        answer = await booking_api.post(
            "/bookings",
            json={
                "group_id": str(group_id),
                "event_id": str(event.payload.event_id),
                "occurrence_ids": [occurrence],
                "pupils": 20,
                "adults": 2,
            },
            headers=teacher(teacher_id),
        )
        assert answer.status_code == 202, answer.text
        booked.append((teacher_id, answer.json()["id"]))
    before_the_draw = [(await status_of(booking_api, t, b))["status"] for t, b in booked]
    assert before_the_draw == ["requested"] * 4, "a draw decides nothing before the window closes"

    async def all_decided() -> list[dict] | None:
        found = [await status_of(booking_api, t, b) for t, b in booked]
        return found if all(f["status"] != "requested" for f in found) else None

    decided = await until(all_decided, timeout=60)
    assert decided is not None
    statuses = sorted(d["status"] for d in decided)
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    south_teacher = groups[3][1]
    south_booking = next(d for (t, _), d in zip(booked, decided, strict=True) if t == south_teacher)
    assert south_booking["status"] == "confirmed", "the school that had asked least comes first"
    admin = identity_headers("administrator", MUNICIPALITY)
    audit = (
        await allocation_api.get(f"/events/{event.payload.event_id}/draw", headers=admin)
    ).json()
    assert len(audit["inputs"]["requests"]) == 4
    assert isinstance(audit["seed"], int)
    served = [(r["rank"], r["school"], r["outcome"]) for r in audit["requests"]]
    assert [rank for rank, _, _ in served] == [1, 2, 3, 4], "listed in the draw's order"
    assert {(school, outcome) for _, school, outcome in served[:2]} == {
        ("Skola Söder", "allocated"),
        ("Skola Norr", "allocated"),
    }, "each school's first request is served before any school's second"
    assert [outcome for _, _, outcome in served[2:]] == ["waitlisted", "waitlisted"]
    assert {r["choice"] for r in audit["requests"] if r["outcome"] == "allocated"} == {1}
    listed = (await allocation_api.get("/draws", headers=admin)).json()
    this_one = [d for d in listed if d["event_id"] == str(event.payload.event_id)]
    assert [(d["state"], d["requests"]) for d in this_one] == [("drawn", 4)]
    again = await allocation_api.post(f"/events/{event.payload.event_id}/draw", headers=admin)
    assert again.status_code == 409, "an event is drawn once"


async def test_an_organizer_cancelling_an_occurrence_tells_every_group_on_it(
    servers: Servers, platform
) -> None:
    publisher, booking_api, _, booking_schema = platform
    unit = school("Väster")
    g1, t1, facts1 = group_with_teacher(unit.payload.unit_id, 20)
    g2, t2, facts2 = group_with_teacher(unit.payload.unit_id, 20)
    event = an_event([22, 22])
    first, second = (str(o.occurrence_id) for o in event.payload.occurrences)
    await publish(publisher, [unit, *facts1, *facts2, event])

    async def replicated() -> bool:
        links = f'select count(*) from "{booking_schema}".replica_teacher_group'
        return query(servers.database_url, links) == [(2,)]

    assert await until(replicated)
    await asyncio.sleep(1.0)  # the event itself travels on the catalog topic

    async def book(group: UUID, teacher_id: UUID, occurrences: list[str]) -> str:
        answer = await booking_api.post(
            "/bookings",
            json={"group_id": str(group), "event_id": str(event.payload.event_id),
                  "occurrence_ids": occurrences, "pupils": 20, "adults": 2},
            headers=teacher(teacher_id),
        )  # fmt: skip
        assert answer.status_code == 202, answer.text
        return str(answer.json()["id"])

    seated = await book(g1, t1, [first])
    assert await until(lambda: _has(booking_api, t1, seated, "confirmed"))
    waiting = await book(g2, t2, [first])
    assert await until(lambda: _has(booking_api, t2, waiting, "waitlisted"))
    await publish(
        publisher,
        [
            OccurrenceCancelled(
                municipality_id=MUNICIPALITY,
                payload=OccurrenceCancellation(
                    event_id=event.payload.event_id, occurrence_id=UUID(first)
                ),
            )
        ],
    )
    told_seated = await until(lambda: _has(booking_api, t1, seated, "rejected"))
    told_waiting = await until(lambda: _has(booking_api, t2, waiting, "rejected"))
    assert told_seated and "ställt in" in told_seated["explanation"]["sv"]
    assert told_waiting, "a group waiting only for the cancelled occurrence is told too"
    other = await book(g2, t2, [second])
    assert await until(lambda: _has(booking_api, t2, other, "confirmed"))


async def test_a_closed_booking_window_is_told_in_local_time_in_the_callers_language(
    servers: Servers, platform
) -> None:
    publisher, booking_api, _, booking_schema = platform
    unit = school("Öster")
    group_id, teacher_id, facts = group_with_teacher(unit.payload.unit_id, 20)
    town = MunicipalityRegistered(
        municipality_id=MUNICIPALITY,
        payload=Municipality(
            name="Gränsby",
            languages=[Language.FI, Language.SV],
            time_zone="Europe/Helsinki",
            default_booking_policy=BookingPolicy.INSTANT,
        ),
    )
    event = an_event([30], closes_in=timedelta(hours=-1))
    await publish(publisher, [town, unit, *facts, event])
    for table in ("replica_municipality", "replica_teacher_group", "replica_event"):
        await until_rows(servers.database_url, booking_schema, table, 1)
    body = {
        "group_id": str(group_id),
        "event_id": str(event.payload.event_id),
        "occurrence_ids": [str(event.payload.occurrences[0].occurrence_id)],
        "pupils": 20,
        "adults": 2,
    }

    async def refusal(accept_language: str | None = None) -> str:
        asks = {"Accept-Language": accept_language} if accept_language else {}
        answer = await booking_api.post("/bookings", json=body, headers=teacher(teacher_id) | asks)
        assert answer.status_code == 409, answer.text
        return str(answer.json()["detail"])

    closed = event.payload.booking_closes_at
    assert closed is not None
    in_finnish = local_when(closed, Language.FI, "Europe/Helsinki")
    assert await refusal() == (
        f"varaaminen päättyi {in_finnish}; ota yhteyttä järjestäjään, jos haluatte silti tulla"
    ), "in the municipality's language when the caller names none of ours"
    local = closed.astimezone(ZoneInfo("Europe/Helsinki"))
    assert f"klo {local.hour}.{local:%M}" in in_finnish, "Helsinki's time, to the minute"
    swedish = await refusal("sv-FI,sv;q=0.9,en;q=0.5")
    assert swedish.startswith("bokningen stängde ") and f"kl. {local:%H:%M};" in swedish
    english = await refusal("de, en-GB;q=0.8")
    assert english == (
        f"booking closed {local_when(closed, Language.EN, 'Europe/Helsinki')}; contact the "
        "organizer if you still want to come"
    )
    assert not any(c in english for c in ("UTC", "+00:00", f"{closed:%S.%f}"))


async def test_a_teacher_evaluates_her_visit_once_it_has_ended_and_corrects_it(
    servers: Servers, topic_prefix: str, platform
) -> None:
    publisher, booking_api, _, booking_schema = platform
    unit = school("Öster")
    group, teacher_id, facts = group_with_teacher(unit.payload.unit_id, 20)
    _, colleague, colleague_facts = group_with_teacher(unit.payload.unit_id, 20)
    event = an_event([40])
    await publish(publisher, [unit, *facts, *colleague_facts, event])
    occurrence = event.payload.occurrences[0]

    async def replicated() -> bool:
        return query(
            servers.database_url, f'select count(*) from "{booking_schema}".replica_event'
        ) == [(1,)]

    assert await until(replicated)
    booked = await booking_api.post(
        "/bookings",
        json={
            "group_id": str(group), "event_id": str(event.payload.event_id),
            "occurrence_ids": [str(occurrence.occurrence_id)], "pupils": 20, "adults": 2,
        },
        headers=teacher(teacher_id),
    )  # fmt: skip
    assert booked.status_code == 202, booked.text
    booking_id = booked.json()["id"]
    assert await until(lambda: _has(booking_api, teacher_id, booking_id, "confirmed"))
    url = f"/bookings/{booking_id}/evaluation"
    answers = {
        "came": True,
        "pupils_present": 19,
        "scores": {"overall": 5, "age_fit": 4, "engagement": 5, "arrangements": 3},
        "comment": "Eleverna pratade om det hela veckan.",
    }
    asked = (await booking_api.get(url, headers=teacher(teacher_id))).json()
    assert asked["questions"] == ["overall", "age_fit", "engagement", "arrangements"]
    too_early = await booking_api.put(url, json=answers, headers=teacher(teacher_id))
    assert too_early.status_code == 409 and "evaluate it after" in too_early.json()["detail"]

    # The visit took place: the organizer moved it to yesterday.
    yesterday = occurrence.model_copy(
        update={
            "starts_at": occurrence.starts_at - timedelta(days=31),
            "ends_at": occurrence.ends_at - timedelta(days=31),
        }
    )
    moved = OccurrenceChanged(
        municipality_id=MUNICIPALITY,
        payload=OccurrenceOfEvent(event_id=event.payload.event_id, occurrence=yesterday),
    )
    await publish(publisher, [moved])

    async def visited() -> bool:
        found = await booking_api.get(url, headers=teacher(teacher_id))
        return found.json()["opens_at"] < datetime.now(UTC).isoformat()

    assert await until(visited)
    unrated = answers | {"scores": {"overall": 5}}
    refused = await booking_api.put(url, json=unrated, headers=teacher(teacher_id))
    out_of_scale = answers | {"scores": answers["scores"] | {"overall": 6}}
    refused_score = await booking_api.put(url, json=out_of_scale, headers=teacher(teacher_id))
    not_hers = await booking_api.put(url, json=answers, headers=teacher(colleague))
    given = await booking_api.put(url, json=answers, headers=teacher(teacher_id))
    corrected = await booking_api.put(
        url, json=answers | {"pupils_present": 20}, headers=teacher(teacher_id)
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "scores.age_fit"
    assert refused_score.status_code == 422
    assert not_hers.status_code == 404
    assert given.status_code == 200, given.text
    assert given.json()["correctable_until"] is not None
    assert corrected.json()["given"]["pupils_present"] == 20

    records = await read_topic(
        servers.kafka_bootstrap_servers, topic_name("booking", topic_prefix), 4
    )
    told = [
        e.payload for e in map(parse_event, (r.value for r in records))
        if isinstance(e, EvaluationSubmitted)
    ]  # fmt: skip
    assert [(e.revision, e.pupils_present) for e in told] == [(1, 19), (2, 20)]
    assert told[0].scores == {Question(q): s for q, s in answers["scores"].items()}

    # Its organizer records who came; another organizer cannot, nor can counts that do not fit.
    organizer_id = str(event.payload.organizer_id)
    theatre = identity_headers("organizer", MUNICIPALITY, organizer_id=organizer_id)
    other = identity_headers("organizer", MUNICIPALITY, organizer_id=str(uuid4()))
    attendance = f"/bookings/{booking_id}/attendance"
    counted = {"came": True, "pupils_present": 18}
    not_theirs = await booking_api.put(attendance, json=counted, headers=other)
    no_count = await booking_api.put(attendance, json={"came": True}, headers=theatre)
    recorded = await booking_api.put(attendance, json=counted, headers=theatre)
    assert not_theirs.status_code == 404
    assert no_count.status_code == 422 and no_count.json()["errors"][0]["field"] == "pupils_present"
    assert recorded.status_code == 200, recorded.text
    listed = await booking_api.get(
        f"/events/{event.payload.event_id}/participants", headers=theatre
    )
    (seated,) = listed.json()[str(occurrence.occurrence_id)]
    assert (seated["came"], seated["pupils_present"]) == (True, 18)
    records = await read_topic(
        servers.kafka_bootstrap_servers, topic_name("booking", topic_prefix), 5
    )
    (came,) = [
        e.payload
        for e in map(parse_event, (r.value for r in records))
        if isinstance(e, AttendanceRecorded)
    ]
    assert (came.booking_id, came.came, came.pupils_present) == (UUID(booking_id), True, 18)
