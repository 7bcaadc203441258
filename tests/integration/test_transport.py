"""The culture bus through the real services: a teacher books with the bus, the allocation
confirms, transport plans her class's trip and tells it, and the operator's run sheet has her
school; the office moves the class to another bus by hand and the operator gets the next
revision; she cancels, the trip goes, and the operator's last revision no longer has it."""

import asyncio
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from kulturbro_cli.services import load_service
from kulturbro_contracts import parse_event, topic_name
from kulturbro_contracts.catalog import EventPublished, Occurrence, Venue
from kulturbro_contracts.directory import Bus, Municipality, MunicipalityRegistered
from kulturbro_contracts.school_year import school_year_of
from kulturbro_contracts.vocabulary import BookingPolicy, Language
from kulturbro_devstack.facts import MUNICIPALITY, an_event, group_with_teacher, publish, school
from kulturbro_devstack.smtp import EmbeddedSmtp
from kulturbro_devstack.testing import (
    Servers,
    identity_headers,
    read_topic,
    running,
    service_env,
    service_settings,
)
from kulturbro_runtime.service import Service

from .conftest import until_rows
from .test_booking_allocation import teacher, until
from .test_notify_booking_mail import text_of, world
from .test_stats import publish as deliver_again

pytestmark = pytest.mark.integration
STOCKHOLM = ZoneInfo("Europe/Stockholm")
OPERATOR = "trafik@buss.example"


def administrator() -> dict[str, str]:
    """Signed as the request goes out: a signed identity lives a minute, a loaded run longer."""
    return identity_headers("administrator", MUNICIPALITY)


def a_tuesday_at_ten() -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=30)
    day += timedelta(days=(1 - day.weekday()) % 7)
    return datetime.combine(day, time(10), tzinfo=STOCKHOLM).astimezone(UTC)


async def run_sheets(smtp: EmbeddedSmtp, count: int) -> list[EmailMessage]:
    for _ in range(600):  # a minute: late in a full run the consumers start slowly
        mine = [m for m in smtp.messages() if m["To"].addresses[0].addr_spec == OPERATOR]
        if len(mine) >= count:
            return mine
        await asyncio.sleep(0.1)
    raise AssertionError(f"the operator got {[m['Subject'] for m in mine]}, not {count} sheets")


def csv_of(mail: EmailMessage) -> str:
    [sheet] = [p for p in mail.iter_attachments() if str(p.get_filename()).endswith(".csv")]
    data = sheet.get_payload(decode=True)
    assert isinstance(data, bytes)
    return data.decode()


async def test_a_teacher_books_with_the_bus_the_office_moves_her_class_and_she_cancels(
    servers: Servers, topic_prefix: str, new_schema, probe: Service
) -> None:
    services = {name: load_service(name) for name in ("booking", "allocation", "transport")}
    schemas = {name: new_schema(name) for name in services}
    clients = [
        running(s, service_settings(s, service_env(servers, topic_prefix, schemas[name])))
        for name, s in services.items()
    ]
    async with (
        world(servers, topic_prefix, new_schema, probe) as (publisher, smtp, _, _),
        clients[0] as booking_api,
        clients[1],
        clients[2] as transport_api,
    ):
        town = MunicipalityRegistered(
            municipality_id=MUNICIPALITY,
            payload=Municipality(
                name="Malmö",
                languages=[Language.SV],
                time_zone="Europe/Stockholm",
                default_booking_policy=BookingPolicy.INSTANT,
                bus_fleet=[
                    Bus(name="Buss 1", seats=50, wheelchair_places=1),
                    Bus(name="Minibuss", seats=10),
                    Bus(name="Buss 3", seats=50),
                ],
            ),
        )
        unit = school("Rosengård")
        place = {"latitude": 55.584, "longitude": 13.043, "address": "Amiralsgatan 1"}
        unit = unit.model_copy(update={"payload": unit.payload.model_copy(update=place)})
        group_id, teacher_id, facts = group_with_teacher(unit.payload.unit_id, 22)
        event = an_event([60])
        starts = a_tuesday_at_ten()
        occurrence = Occurrence(
            occurrence_id=event.payload.occurrences[0].occurrence_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            capacity=60,
            language=Language.SV,
        )
        venue = Venue(
            name="Stadsteatern",
            address="Östra Rönneholmsvägen 20",
            latitude=55.605,
            longitude=13.0038,
        )
        event = event.model_copy(
            update={
                "payload": event.payload.model_copy(
                    update={"venue": venue, "occurrences": [occurrence]}
                )
            }
        )
        depot = {"depot_latitude": 55.58, "depot_longitude": 13.05}
        rules = await transport_api.put("/rules", json=depot, headers=administrator())
        assert rules.status_code == 200 and rules.json()["max_ride_min"] == 60
        assert rules.json()["run_sheet_at"] == "18:00:00"
        refused = await transport_api.put(
            "/rules", json=depot | {"run_sheet_days_before": 0}, headers=administrator()
        )
        assert refused.status_code == 422 and "run_sheet_days_before" in refused.text
        refused = await transport_api.put(
            "/rules", json={"opens": "16:00", "closes": "08:00"}, headers=administrator()
        )
        assert refused.status_code == 422 and "opens must be before closes" in refused.text

        await publish(publisher, [town, unit, *facts, event])
        for name, table in (("booking", "replica_event"), ("transport", "replica_event")):
            await until_rows(servers.database_url, schemas[name], table, 1)
        await until_rows(servers.database_url, schemas["transport"], "school", 1)
        await until_rows(servers.database_url, schemas["transport"], "fleet", 1)
        own_depots = {
            "depot_latitude": 55.58,
            "depot_longitude": 13.05,
            "depots": [{"bus": "Buss 9", "latitude": 55.6, "longitude": 13.0}],
        }
        refused = await transport_api.put("/rules", json=own_depots, headers=administrator())
        assert refused.status_code == 422 and "no bus 'Buss 9'" in refused.text
        own_depots["depots"] = [{"bus": "Buss 3", "latitude": 95, "longitude": 13.0}]
        refused = await transport_api.put("/rules", json=own_depots, headers=administrator())
        assert refused.status_code == 422 and "bus 'Buss 3': the depot's latitude" in refused.text

        booked = await booking_api.post(
            "/bookings",
            json={
                "group_id": str(group_id),
                "event_id": str(event.payload.event_id),
                "occurrence_ids": [str(occurrence.occurrence_id)],
                "pupils": 22,
                "adults": 1,
                "wants_bus": True,
            },
            headers=teacher(teacher_id),
        )
        assert booked.status_code == 202, booked.text
        booking_id = booked.json()["id"]

        async def her_bus() -> dict | None:
            found = await transport_api.get(
                f"/bookings/{booking_id}/bus", headers=teacher(teacher_id)
            )
            return found.json() if found.status_code == 200 and found.json()["trip"] else None

        bus = await until(her_bus)
        assert bus is not None, "the booking's bus was never scheduled"
        assert bus["trip"]["bus"] in {"Buss 1", "Buss 3"}
        assert bus["trip"]["pickup_place"] == "Skola Rosengård, Amiralsgatan 1"
        pickup = datetime.fromisoformat(bus["trip"]["pickup_at"])
        assert starts - timedelta(minutes=60) <= pickup <= starts - timedelta(minutes=15)
        day = starts.astimezone(STOCKHOLM).date()
        plan = (await transport_api.get(f"/plans/{day}", headers=administrator())).json()
        assert [run["most_on_board"] for run in plan["buses"]] == [23]
        assert plan["run_sheet"]["not_sent_because"].startswith("no run sheet is sent")
        assert plan["run_sheet"]["revision"] is None

        # The operator is set, and the sheet's time (weeks before, at midnight) has passed.
        sheet_rules = depot | {
            "operator_email": OPERATOR,
            "run_sheet_days_before": 40,
            "run_sheet_at": "00:00",
        }
        rules = await transport_api.put("/rules", json=sheet_rules, headers=administrator())
        assert rules.status_code == 200, rules.text
        [first_sheet] = await run_sheets(smtp, 1)
        assert first_sheet["Subject"].startswith("Körschema för kulturbussen")
        rows = csv_of(first_sheet).splitlines()
        assert rows[0].startswith("Buss,Tid,Hämtning/lämning,Skola eller plats,Adress,Resenärer")
        assert len(rows) == 5 and "Skola Rosengård,Amiralsgatan 1,23,0," in rows[1]
        plan = (await transport_api.get(f"/plans/{day}", headers=administrator())).json()
        assert plan["run_sheet"]["revision"] == 1
        assert plan["run_sheet"]["not_sent_because"] is None
        assert [stop["place"] for stop in plan["buses"][0]["stops"]] == [
            "Skola Rosengård",
            "Stadsteatern",
            "Stadsteatern",
            "Skola Rosengård",
        ]
        another = await transport_api.get(f"/bookings/{booking_id}/bus", headers=teacher(group_id))
        assert another.status_code == 404

        # The allocation's decision told again: the inbox has it, nothing is planned twice.
        allocated = await read_topic(
            servers.kafka_bootstrap_servers, topic_name("allocation", topic_prefix), 1
        )
        await publish(publisher, [parse_event(record.value) for record in allocated])

        # The office moves the class by hand: not onto the minibus, which is too small.
        move = f"/plans/{day}/bookings/{booking_id}/bus"
        refused = await transport_api.put(move, json={"bus": "Minibuss"}, headers=administrator())
        assert refused.status_code == 409, refused.text
        assert refused.json()["broken_rules"] == ["seats"]
        other = "Buss 3" if bus["trip"]["bus"] == "Buss 1" else "Buss 1"
        assert other in refused.json()["fits_on"] and "seats:" in refused.json()["detail"]
        teachers = await transport_api.put(move, json={"bus": other}, headers=teacher(teacher_id))
        assert teachers.status_code == 403
        moved = await transport_api.put(move, json={"bus": other}, headers=administrator())
        assert moved.status_code == 200, moved.text
        assert [run["bus"] for run in moved.json()["buses"]] == [other]
        [placed] = moved.json()["placed_by_hand"]
        assert placed["bus"] == other and placed["booking_id"] == booking_id
        assert (await her_bus() or {})["trip"]["bus"] == other
        moved_sheet = (await run_sheets(smtp, 2))[1]
        assert "version 2" in moved_sheet["Subject"]
        assert csv_of(moved_sheet).splitlines()[1].startswith(f"{other},")

        cancelled = await booking_api.delete(f"/bookings/{booking_id}", headers=teacher(teacher_id))
        assert cancelled.status_code == 200
        last_sheet = (await run_sheets(smtp, 3))[2]
        assert "version 3" in last_sheet["Subject"]
        assert "ersätter alla tidigare versioner" in text_of(last_sheet)
        assert "Rosengård" not in csv_of(last_sheet)
        told = [
            parse_event(record.value)
            for record in await read_topic(
                servers.kafka_bootstrap_servers, topic_name("transport", topic_prefix), 6
            )
        ]
        # Keyed by booking and by day, so in order within each, not across them.
        assert [e.event_type for e in told if e.event_type != "BusRunSheetIssued"] == [
            "BusScheduled",
            "BusTripChanged",
            "BusTripCancelled",
        ]
        sheets = [e for e in told if e.event_type == "BusRunSheetIssued"]
        assert len(sheets) == 3
        plan = (await transport_api.get(f"/plans/{day}", headers=administrator())).json()
        assert plan["buses"] == [] and plan["run_sheet"]["revision"] == 3

        # The sheets delivered again: the operator gets no mail twice.
        await deliver_again(servers, topic_prefix, sheets)
        await asyncio.sleep(2.5)
        assert len(await run_sheets(smtp, 3)) == 3


def a_bus_event(starts: datetime) -> EventPublished:
    """An event with one occurrence at `starts`, at a venue with its coordinates."""
    event = an_event([60])
    occurrence = Occurrence(
        occurrence_id=event.payload.occurrences[0].occurrence_id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        capacity=60,
        language=Language.SV,
    )
    venue = Venue(name="Stadsteatern", latitude=55.605, longitude=13.0038)
    payload = event.payload.model_copy(update={"venue": venue, "occurrences": [occurrence]})
    return event.model_copy(update={"payload": payload})


async def test_a_group_refused_its_bus_for_its_trip_a_year_has_it_once_that_trip_is_cancelled(
    servers: Servers, topic_prefix: str, new_schema, probe: Service
) -> None:
    services = {name: load_service(name) for name in ("booking", "allocation", "transport")}
    schemas = {name: new_schema(name) for name in services}
    clients = [
        running(s, service_settings(s, service_env(servers, topic_prefix, schemas[name])))
        for name, s in services.items()
    ]
    async with (
        world(servers, topic_prefix, new_schema, probe) as (publisher, _, _, _),
        clients[0] as booking_api,
        clients[1],
        clients[2] as transport_api,
    ):
        rules = {
            "depot_latitude": 55.58,
            "depot_longitude": 13.05,
            "one_trip_per_school_year": True,
        }
        assert (await transport_api.put("/rules", json=rules, headers=administrator())).is_success
        town = MunicipalityRegistered(
            municipality_id=MUNICIPALITY,
            payload=Municipality(
                name="Malmö",
                languages=[Language.SV],
                time_zone="Europe/Stockholm",
                default_booking_policy=BookingPolicy.INSTANT,
                bus_fleet=[Bus(name="Buss 1", seats=50)],
            ),
        )
        unit = school("Rosengård")
        place = {"latitude": 55.584, "longitude": 13.043}
        unit = unit.model_copy(update={"payload": unit.payload.model_copy(update=place)})
        group_id, teacher_id, facts = group_with_teacher(unit.payload.unit_id, 22)
        first = a_tuesday_at_ten()
        # A week later, or earlier where later is in the next school year (from 1 July).
        later = first + timedelta(days=7)
        if school_year_of(later.astimezone(STOCKHOLM).date()) != school_year_of(
            first.astimezone(STOCKHOLM).date()
        ):
            later = first - timedelta(days=7)
        events = [a_bus_event(first), a_bus_event(later)]
        await publish(publisher, [town, unit, *facts, *events])
        for name in ("booking", "transport"):
            await until_rows(servers.database_url, schemas[name], "replica_event", 2)
        await until_rows(servers.database_url, schemas["transport"], "school", 1)
        await until_rows(servers.database_url, schemas["transport"], "fleet", 1)

        async def book(event: EventPublished) -> str:
            booked = await booking_api.post(
                "/bookings",
                json={
                    "group_id": str(group_id),
                    "event_id": str(event.payload.event_id),
                    "occurrence_ids": [str(event.payload.occurrences[0].occurrence_id)],
                    "pupils": 22,
                    "adults": 1,
                    "wants_bus": True,
                },
                headers=teacher(teacher_id),
            )
            assert booked.status_code == 202, booked.text
            return str(booked.json()["id"])

        async def bus_of(booking_id: str) -> dict:
            found = await transport_api.get(
                f"/bookings/{booking_id}/bus", headers=teacher(teacher_id)
            )
            return found.json() if found.status_code == 200 else {}

        async def has_trip(booking_id: str) -> bool:
            return bool((await bus_of(booking_id)).get("trip"))

        holder = await book(events[0])
        assert await until(lambda: has_trip(holder)), "the first trip never came"
        refused = await book(events[1])

        async def refused_for_its_trip_a_year() -> bool:
            return (await bus_of(refused)).get("reason") == "one_trip_a_year"

        assert await until(refused_for_its_trip_a_year), await bus_of(refused)
        day = later.astimezone(STOCKHOLM).date()
        plan = (await transport_api.get(f"/plans/{day}", headers=administrator())).json()
        [unserved] = plan["unserved"]
        assert unserved["fixes"] == [{"code": "one_trip_a_year", "params": {}}]
        assert "one a year" in unserved["what_to_fix"]

        cancelled = await booking_api.delete(f"/bookings/{holder}", headers=teacher(teacher_id))
        assert cancelled.status_code == 200
        assert await until(lambda: has_trip(refused)), await bus_of(refused)
        plan = (await transport_api.get(f"/plans/{day}", headers=administrator())).json()
        assert plan["unserved"] == [] and len(plan["buses"]) == 1
        told = [
            parse_event(record.value)
            for record in await read_topic(
                servers.kafka_bootstrap_servers, topic_name("transport", topic_prefix), 4
            )
        ]
        # Keyed by booking: in order for each booking.
        assert [e.event_type for e in told if str(e.payload.booking_id) == holder] == [
            "BusScheduled",
            "BusTripCancelled",
        ]
        assert [e.event_type for e in told if str(e.payload.booking_id) == refused] == [
            "BusUnavailable",
            "BusScheduled",
        ]
