"""An in-memory unit of work for transport's handlers: the same repositories, in dicts."""

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from kulturbro_contracts import Event
from kulturbro_contracts.directory import Bus as FleetBus
from kulturbro_contracts.directory import School as SchoolFact
from kulturbro_contracts.transport import RunSheet
from transport.domain import GroupYear, Place, StraightLineTravel, Travel
from transport.plans import DayPlanPublic
from transport.records import (
    BookingStatus,
    BusBooking,
    IssuedSheet,
    OccurrenceAt,
    Placement,
    RuleSettings,
    School,
)


class FakeBookings:
    def __init__(self) -> None:
        self.rows: dict[UUID, BusBooking] = {}

    async def add(self, booking: BusBooking) -> None:
        self.rows.setdefault(booking.booking_id, dataclasses.replace(booking))

    async def get(self, booking_id: UUID) -> BusBooking | None:
        found = self.rows.get(booking_id)
        return None if found is None else dataclasses.replace(found)

    async def save(self, booking: BusBooking) -> None:
        self.rows[booking.booking_id] = dataclasses.replace(booking)

    async def on_day(self, municipality_id: str, day: date) -> list[BusBooking]:
        return [
            dataclasses.replace(b)
            for b in sorted(self.rows.values(), key=lambda b: b.requested_at)
            if b.municipality_id == municipality_id
            and b.day == day
            and b.status is BookingStatus.CONFIRMED
            and b.wants_bus
        ]

    async def on_occurrences(self, occurrence_ids: list[UUID]) -> list[BusBooking]:
        return [
            dataclasses.replace(b) for b in self.rows.values() if b.occurrence_id in occurrence_ids
        ]

    async def of_groups(self, municipality_id: str, group_ids: list[UUID]) -> list[BusBooking]:
        return [
            dataclasses.replace(b)
            for b in self.rows.values()
            if b.municipality_id == municipality_id
            and b.group_id in group_ids
            and b.status is BookingStatus.CONFIRMED
            and b.wants_bus
        ]


class FakeDirectory:
    def __init__(self, zone: str = "Europe/Stockholm") -> None:
        self.fleets: dict[str, list[FleetBus]] = {}
        self.schools: dict[UUID, School] = {}
        self.time_zone = zone

    async def keep_fleet(self, municipality_id: str, buses: list[FleetBus]) -> None:
        self.fleets[municipality_id] = list(buses)

    async def fleet(self, municipality_id: str) -> list[FleetBus]:
        return self.fleets.get(municipality_id, [])

    async def keep_school(self, municipality_id: str, fact: SchoolFact) -> None:
        place = (
            None
            if fact.latitude is None or fact.longitude is None
            else Place(fact.latitude, fact.longitude)
        )
        self.schools[fact.unit_id] = School(fact.name, fact.address, place)

    async def school(self, unit_id: UUID) -> School | None:
        return self.schools.get(unit_id)

    async def zone(self, municipality_id: str) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class FakeCatalog:
    def __init__(self) -> None:
        self.occurrences: dict[UUID, OccurrenceAt] = {}

    async def occurrence(self, occurrence_id: UUID) -> OccurrenceAt | None:
        return self.occurrences.get(occurrence_id)

    async def occurrences_of(self, event_id: UUID) -> list[OccurrenceAt]:
        return [o for o in self.occurrences.values() if o.event_id == event_id]


class FakeRules:
    def __init__(self) -> None:
        self.settings: dict[str, RuleSettings] = {}

    async def get(self, municipality_id: str) -> RuleSettings:
        return self.settings.get(municipality_id, RuleSettings())

    async def save(self, municipality_id: str, settings: RuleSettings) -> None:
        self.settings[municipality_id] = settings


class FakePlans:
    def __init__(self) -> None:
        self.plans: dict[tuple[str, date], DayPlanPublic] = {}

    async def lock(self, municipality_id: str, day: date) -> None:
        pass  # one test, one task

    async def get(self, municipality_id: str, day: date) -> DayPlanPublic | None:
        return self.plans.get((municipality_id, day))

    async def save(self, municipality_id: str, plan: DayPlanPublic, at: datetime) -> None:
        self.plans[municipality_id, plan.day] = plan


class FakeYearlyTrips:
    def __init__(self) -> None:
        self.held: dict[tuple[UUID, int], UUID] = {}

    async def holder(self, group_id: UUID, school_year: int) -> UUID | None:
        return self.held.get((group_id, school_year))

    async def claim(
        self, municipality_id: str, group_id: UUID, school_year: int, booking_id: UUID
    ) -> None:
        if booking_id not in self.held.values():
            self.held.setdefault((group_id, school_year), booking_id)

    async def release(self, booking_id: UUID) -> GroupYear | None:
        freed = [key for key, b in self.held.items() if b == booking_id]
        self.held = {key: b for key, b in self.held.items() if b != booking_id}
        return GroupYear(*freed[0]) if freed else None


class FakePlacements:
    def __init__(self) -> None:
        self.rows: dict[UUID, Placement] = {}

    async def keep(self, placement: Placement) -> None:
        self.rows[placement.booking_id] = placement

    async def on_day(self, municipality_id: str, day: date) -> list[Placement]:
        return [
            p for p in self.rows.values() if p.municipality_id == municipality_id and p.day == day
        ]

    async def forget(self, booking_id: UUID) -> None:
        self.rows.pop(booking_id, None)


class FakeRunSheets:
    def __init__(self) -> None:
        self.sent: dict[tuple[str, date], list[IssuedSheet]] = {}

    async def last(self, municipality_id: str, day: date) -> IssuedSheet | None:
        return (self.sent.get((municipality_id, day)) or [None])[-1]

    async def record(self, municipality_id: str, sheet: RunSheet, at: datetime) -> None:
        self.sent.setdefault((municipality_id, sheet.day), []).append(IssuedSheet(sheet, at))


class FakeRoads:
    """No road network: the straight line, as where no OSRM server is configured."""

    async def travel(self, places: Sequence[Place], estimate: StraightLineTravel) -> Travel:
        return estimate


class FakeWork:
    def __init__(self) -> None:
        self.bookings = FakeBookings()
        self.directory = FakeDirectory()
        self.catalog = FakeCatalog()
        self.rules = FakeRules()
        self.plans = FakePlans()
        self.yearly_trips = FakeYearlyTrips()
        self.placements = FakePlacements()
        self.run_sheets = FakeRunSheets()
        self.roads = FakeRoads()
        self.published: list[Event] = []

    async def publish(self, event: Event) -> Event:
        self.published.append(event)
        return event

    def told(self) -> list[str]:
        """The event types published since last asked, in order."""
        names = [event.event_type for event in self.published]
        self.published.clear()
        return names
