"""The statistics from a recorded stream of events: Lillby's figures exactly as worked out by hand;
a redelivered stream changes nothing; a projection rebuilt from the beginning of the topics gives
the same figures; the open indicators are JSON-stat 2.0 and their CSV and XLSX read back.

The stream and the figures worked out by hand live in services/stats/tests/lillby.py, which the
unit tests replay into a fake in memory.
"""

import csv
import importlib.util
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from aiokafka import AIOKafkaProducer
from jsonstat_validator import validate_jsonstat

from kulturbro_cli.services import load_service
from kulturbro_contracts import serialize_event
from kulturbro_contracts.envelope import Event
from kulturbro_devstack.testing import Servers, identity_headers, service_env, service_settings
from stats.api.common import now

pytestmark = pytest.mark.integration

LILLBY_FILE = Path(__file__).parents[2] / "services" / "stats" / "tests" / "lillby.py"
spec = importlib.util.spec_from_file_location("lillby", LILLBY_FILE)
assert spec and spec.loader
lillby = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lillby)

YEAR = lillby.SCHOOL_YEAR


def admin() -> dict[str, str]:
    """Signed as the request goes out: a signed identity lives a minute, a loaded run longer."""
    return identity_headers("administrator", lillby.MUNICIPALITY)


async def publish(servers: Servers, prefix: str, events: list[Event]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(
                event.topic(prefix), serialize_event(event), key=event.key().encode()
            )
    finally:
        await producer.stop()


@asynccontextmanager
async def stats(
    servers: Servers, prefix: str, schema: str, name: str = "stats"
) -> AsyncIterator[httpx.AsyncClient]:
    """The stats service (under another consumer group if renamed, so it reads every topic from
    the beginning), its clock at Lillby's now."""
    service = replace(load_service("stats"), name=name)
    settings = service_settings(service, service_env(servers, prefix, schema))
    service.migrate(settings)
    app = service.create_app(settings)
    app.dependency_overrides[now] = lambda: lillby.NOW
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://stats") as client:
            yield client


async def figures_once_fresh(client: httpx.AsyncClient, fresh_as_of: datetime) -> dict[str, Any]:
    """The year's figures once the last event told is in them."""
    import asyncio

    for _ in range(300):
        answer = await client.get(f"/statistics/{YEAR}", headers=admin())
        fresh = answer.status_code == 200 and answer.json()["fresh_as_of"]
        if fresh and datetime.fromisoformat(fresh) == fresh_as_of:
            await asyncio.sleep(0.5)  # time for a wrongly applied duplicate to show
            return dict((await client.get(f"/statistics/{YEAR}", headers=admin())).json())
        await asyncio.sleep(0.1)
    raise AssertionError(f"the figures never became fresh: {answer.text[:300]}")


def assert_as_by_hand(answer: dict[str, Any]) -> None:
    total = answer["total"]
    for name, expected in lillby.WHOLE_YEAR.items():
        assert total[name] == pytest.approx(expected, abs=1e-4), name
    scores = {q.value: round(mean, 2) for q, mean in lillby.WHOLE_YEAR_SCORES.items()}
    assert total["scores"] == scores


async def test_lillbys_figures_from_its_events_redelivered_and_rebuilt(
    servers: Servers, topic_prefix: str, new_schema
) -> None:
    told = lillby.events()
    fresh = max(e.occurred_at for e in told)
    async with stats(servers, topic_prefix, new_schema("stats")) as client:
        await publish(servers, topic_prefix, told)
        assert_as_by_hand(await figures_once_fresh(client, fresh))
        await publish(servers, topic_prefix, told)  # every event delivered again
        assert_as_by_hand(await figures_once_fresh(client, fresh))
        metrics = (await client.get("/metrics")).text
        assert "kulturbro_stats_projection_lag_seconds_count" in metrics

    async with stats(servers, topic_prefix, new_schema("stats"), "stats_rebuilt") as rebuilt:
        assert_as_by_hand(await figures_once_fresh(rebuilt, fresh))
        await check_the_apis(rebuilt)


async def check_the_apis(client: httpx.AsyncClient) -> None:
    by_school = await client.get(f"/statistics/{YEAR}?by=district&format=csv", headers=admin())
    rows = list(csv.DictReader(io.StringIO(by_school.content.decode("utf-8-sig"))))
    assert [row["district"] for row in rows] == ["", "Norr", "Söder", "total"]
    unknown = await client.get("/statistics/2031-32", headers=admin())
    assert unknown.status_code == 404 and unknown.json()["school_years"] == [YEAR]

    theatre = identity_headers(
        "organizer", lillby.MUNICIPALITY, organizer_id=str(lillby.id_of("org1"))
    )
    results = (await client.get("/evaluations/results", headers=theatre)).json()["events"]
    assert [(r["title"]["sv"], r["shown"], r["more_needed"]) for r in results] == [
        ("Konsert", False, 2),
        ("Sagan", True, 0),
    ]
    assert "questions" not in results[0]
    as_csv = await client.get("/evaluations/results?format=csv", headers=admin())
    assert "Bussen var sen" not in as_csv.text  # Fossiler: one answer, too few to show
    assert "Fint" in as_csv.text

    await check_the_open_indicators(client)


async def check_the_open_indicators(client: httpx.AsyncClient) -> None:
    document = (await client.get(f"/open/v1/indicators/{YEAR}")).json()
    assert validate_jsonstat(document)
    assert document["dimension"]["municipality"]["category"]["index"] == ["lillby", "total"]
    indicators = document["dimension"]["indicator"]["category"]["index"]
    lillbys = dict(zip(indicators, document["value"][: len(indicators)], strict=True))
    for name, expected in lillby.OPEN.items():
        assert lillbys[name] == pytest.approx(expected), name
    withheld = {indicators[int(i)] for i in document["status"] if int(i) < len(indicators)}
    assert withheld == lillby.OPEN_WITHHELD

    as_csv = await client.get(f"/open/v1/indicators/{YEAR}/lillby?format=csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert {r["indicator"]: r["value"] for r in rows}["pupils"] == "120"
    assert {r["indicator"] for r in rows if r["status"] == "c" and r["value"] == ""} == withheld
    assert all(r["licence"].startswith("CC-BY-4.0") for r in rows)

    as_xlsx = await client.get(f"/open/v1/indicators/{YEAR}?format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.content))
    sheet = list(book["indicators"].iter_rows(values_only=True))
    assert sheet[0][:5] == (
        "municipality",
        "municipality_name",
        "school_year",
        "indicator",
        "value",
    )
    assert sheet[1][:5] == ("lillby", "Lillby", YEAR, "pupils", 120)
    assert set(book.sheetnames) == {"indicators", "definitions", "licence"}

    missing = await client.get(f"/open/v1/indicators/{YEAR}/storby")
    assert missing.status_code == 404 and missing.json()["municipalities"] == ["lillby"]
    assert (await client.get("/open/v1/indicators/1999-00")).status_code == 404
    definitions = (await client.get("/open/v1/definitions")).json()
    assert set(definitions["indicators"]["gini"]["definition"]) == {"sv", "fi", "en"}

    chosen = await client.put("/open-data/publication", json={"publishes": False}, headers=admin())
    assert chosen.status_code == 200, chosen.text
    hidden = await client.get(f"/open/v1/indicators/{YEAR}/lillby")
    assert hidden.status_code == 404
    operator = identity_headers("operator", None)
    seen = await client.get(f"/open/v1/indicators/{YEAR}/lillby", headers=operator)
    assert seen.status_code == 200


async def test_the_groups_outreach_should_reach_and_the_reach_it_added(
    servers: Servers, topic_prefix: str, new_schema
) -> None:
    """Lillby's reach scenario: the unreached groups per school, the reach per term with the
    accepted offer beside the requests alone, and the culture office's goal, bounded."""
    told = lillby.reach_events()
    async with stats(servers, topic_prefix, new_schema("stats")) as client:
        await publish(servers, topic_prefix, told)
        await figures_once_fresh(client, max(e.occurred_at for e in told))

        answer = await client.get(f"/reach/unreached?school_year={YEAR}", headers=admin())
        assert answer.status_code == 200, answer.text
        unreached = answer.json()
        listed = [
            (s["name"], [g["name"] for g in s["groups"]], s["whole_school"])
            for s in unreached["schools"]
        ]
        assert listed == [(name, groups, whole) for name, groups, whole in lillby.UNREACHED]
        assert (unreached["groups_unreached"], unreached["schools_unreached"]) == (3, 1)
        current = await client.get("/reach/unreached", headers=admin())  # Lillby's now: 2026-27
        assert current.json()["school_year"] == YEAR

        terms = (await client.get(f"/reach/terms?school_year={YEAR}", headers=admin())).json()
        for shown, (term, alone, with_outreach) in zip(
            terms["terms"], lillby.REACH_BY_TERM, strict=True
        ):
            assert shown["term"] == term
            for key, expected in (("requests_alone", alone), ("with_outreach", with_outreach)):
                figures = shown[key]
                reached = (
                    figures["schools_reached"],
                    figures["groups_reached"],
                    figures["pupils_reached"],
                )
                assert reached == expected, (term, key)
        assert terms["goal"] == {"visits_per_group": 1, "groups_percent": 100}
        assert terms["terms"][-1]["goal_met"] is False

        half = {"visits_per_group": 1, "groups_percent": 50}
        chosen = await client.put("/reach/goal", json=half, headers=admin())
        assert chosen.status_code == 200, chosen.text
        assert (await client.get("/reach/goal", headers=analyst())).json() == half
        terms = (await client.get(f"/reach/terms?school_year={YEAR}", headers=admin())).json()
        assert terms["terms"][-1]["goal_met"] is True

        too_many = await client.put(
            "/reach/goal", json={"visits_per_group": 13, "groups_percent": 100}, headers=admin()
        )
        assert too_many.status_code == 422
        assert "visits_per_group: must be at most 12, not 13" in too_many.json()["detail"]
        none = await client.put(
            "/reach/goal", json={"visits_per_group": 1, "groups_percent": 0}, headers=admin()
        )
        assert none.status_code == 422 and "groups_percent" in none.json()["detail"]
        refused = await client.put("/reach/goal", json=half, headers=analyst())
        assert refused.status_code == 403
        assert (await client.get("/reach/goal", headers=admin())).json() == half  # unchanged

        unknown = await client.get("/reach/terms?school_year=2031-32", headers=admin())
        assert unknown.status_code == 404 and YEAR in unknown.json()["school_years"]


def analyst() -> dict[str, str]:
    return identity_headers("analyst", lillby.MUNICIPALITY)
