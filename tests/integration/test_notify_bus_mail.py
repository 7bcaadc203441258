"""The culture bus reaches the teacher: a scheduled trip is one mail with the pick-up in local
time and the bus as a second calendar entry, its cancellation one mail removing that entry;
delivered again, neither goes out twice."""

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from kulturbro_contracts.transport import (
    BusScheduled,
    BusTrip,
    BusTripCancelled,
    CancelledBecause,
    TripCancellation,
)
from kulturbro_contracts.vocabulary import Language
from kulturbro_devstack.facts import MUNICIPALITY, an_event, group_with_teacher, publish, school
from kulturbro_devstack.smtp import EmbeddedSmtp
from kulturbro_devstack.testing import Servers
from kulturbro_runtime.service import Service

from .test_notify_booking_mail import (
    calendar_of,
    malmo,
    request,
    seated,
    teacher,
    text_of,
    world,
)
from .test_stats import publish as deliver_again

pytestmark = pytest.mark.integration

ANNA = "anna@skola.example"


async def bus_mails(smtp: EmbeddedSmtp, count: int) -> list:  # type: ignore[type-arg]
    for _ in range(200):
        mine = [
            m
            for m in smtp.messages()
            if m["To"].addresses[0].addr_spec == ANNA and m["Subject"].startswith("Kulturbuss")
        ]
        if len(mine) >= count:
            return mine
        await asyncio.sleep(0.1)
    raise AssertionError(f"{ANNA} got {[m['Subject'] for m in mine]}, expected {count} bus mails")


async def test_a_scheduled_then_cancelled_bus_is_one_mail_each_with_the_pickup_in_local_time(
    servers: Servers, topic_prefix: str, new_schema, probe: Service
) -> None:
    async with world(servers, topic_prefix, new_schema, probe) as (publisher, smtp, _, known):
        unit = school("Norr")
        group, anna, facts = group_with_teacher(unit.payload.unit_id, 20)
        published = an_event([44])
        event = published.payload
        [visit] = event.occurrences
        await publish(publisher, [malmo(), unit, *facts, teacher(anna, "Anna", Language.SV)])
        await known("replica_teacher_group", 1)
        booked = request(event, group, unit.payload.unit_id, anna, [visit])
        await publish(publisher, [published, booked, seated(booked, visit)])

        pickup = (visit.starts_at - timedelta(minutes=45)).replace(second=0, microsecond=0)
        trip = BusTrip(
            booking_id=booked.payload.booking_id,
            event_id=event.event_id,
            occurrence_id=visit.occurrence_id,
            bus="Buss 2",
            pickup_at=pickup,
            pickup_place="Skola Norr, Norra vägen 1",
            pickup_latitude=55.6,
            pickup_longitude=13.0,
            return_bus="Buss 2",
            return_at=visit.ends_at + timedelta(minutes=10),
            home_at=(visit.ends_at + timedelta(minutes=55)).replace(second=0, microsecond=0),
        )
        scheduled = BusScheduled(municipality_id=MUNICIPALITY, payload=trip)
        cancelled = BusTripCancelled(
            municipality_id=MUNICIPALITY,
            payload=TripCancellation(
                booking_id=trip.booking_id,
                event_id=event.event_id,
                occurrence_id=visit.occurrence_id,
                reason=CancelledBecause.BOOKING_CANCELLED,
            ),
        )
        await publish(publisher, [scheduled, cancelled])

        mails = await bus_mails(smtp, 2)
        await deliver_again(servers, topic_prefix, [scheduled, cancelled])
        await asyncio.sleep(1.5)  # anything sent twice would have arrived by now
        mails = await bus_mails(smtp, 2)
        assert len(mails) == 2, [m["Subject"] for m in mails]
        [told] = [m for m in mails if m["Subject"].startswith("Kulturbuss:")]
        [called_off] = [m for m in mails if m["Subject"].startswith("Kulturbussen är inställd")]

        local = pickup.astimezone(ZoneInfo("Europe/Stockholm"))
        [line] = [x for x in text_of(told).splitlines() if x.startswith("Hämtning: ")]
        assert f" {local.day} " in line and line.endswith(f"kl. {local:%H:%M}")
        assert "Skola Norr, Norra vägen 1" in text_of(told)
        entries = {str(e["UID"]): e for e in calendar_of(told).walk("VEVENT")}
        bus_uid = f"bus-{trip.booking_id}@kulturbro"
        assert set(entries) == {f"{trip.booking_id}@kulturbro", bus_uid}
        assert entries[bus_uid].decoded("DTSTART") == pickup
        assert entries[bus_uid].decoded("DTEND") == trip.home_at

        calendar = calendar_of(called_off)
        assert str(calendar["METHOD"]) == "CANCEL"
        [gone] = calendar.walk("VEVENT")
        assert gone["UID"] == bus_uid
        assert int(gone["SEQUENCE"]) > int(entries[bus_uid]["SEQUENCE"])
