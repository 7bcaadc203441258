"""The unit of work transport's handlers take: typed repositories and the outbox, so that a
handler's test runs against a fake in milliseconds."""

from datetime import date, datetime
from typing import Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from kulturbro_contracts import Event
from kulturbro_contracts.directory import Bus as FleetBus
from kulturbro_contracts.directory import School as SchoolFact
from kulturbro_contracts.transport import RunSheet
from transport.domain import GroupYear
from transport.plans import DayPlanPublic
from transport.records import (
    BusBooking,
    IssuedSheet,
    OccurrenceAt,
    Placement,
    RuleSettings,
    School,
)
from transport.roads import Roads


class Bookings(Protocol):
    async def add(self, booking: BusBooking) -> None: ...
    async def get(self, booking_id: UUID) -> BusBooking | None: ...
    async def save(self, booking: BusBooking) -> None: ...
    async def on_day(self, municipality_id: str, day: date) -> list[BusBooking]: ...
    async def on_occurrences(self, occurrence_ids: list[UUID]) -> list[BusBooking]: ...
    async def of_groups(self, municipality_id: str, group_ids: list[UUID]) -> list[BusBooking]:
        """The groups' confirmed bookings that want the bus."""


class Directory(Protocol):
    async def keep_fleet(self, municipality_id: str, buses: list[FleetBus]) -> None: ...
    async def fleet(self, municipality_id: str) -> list[FleetBus]: ...
    async def keep_school(self, municipality_id: str, school: SchoolFact) -> None: ...
    async def school(self, unit_id: UUID) -> School | None: ...
    async def zone(self, municipality_id: str) -> ZoneInfo: ...


class Catalog(Protocol):
    async def occurrence(self, occurrence_id: UUID) -> OccurrenceAt | None: ...
    async def occurrences_of(self, event_id: UUID) -> list[OccurrenceAt]: ...


class Rules(Protocol):
    async def get(self, municipality_id: str) -> RuleSettings: ...
    async def save(self, municipality_id: str, settings: RuleSettings) -> None: ...


class Plans(Protocol):
    async def lock(self, municipality_id: str, day: date) -> None:
        """Until the transaction ends: plans of one day are made one at a time."""

    async def get(self, municipality_id: str, day: date) -> DayPlanPublic | None: ...
    async def save(self, municipality_id: str, plan: DayPlanPublic, at: datetime) -> None: ...


class YearlyTrips(Protocol):
    """The booking holding each group's one bus trip of a school year, kept whatever the rules
    say, so that the rule holds from the day it is set."""

    async def holder(self, group_id: UUID, school_year: int) -> UUID | None: ...
    async def claim(
        self, municipality_id: str, group_id: UUID, school_year: int, booking_id: UUID
    ) -> None:
        """Where no other booking holds it."""

    async def release(self, booking_id: UUID) -> GroupYear | None:
        """The group's school year whose trip the booking held, if it held one."""


class Placements(Protocol):
    async def keep(self, placement: Placement) -> None: ...
    async def on_day(self, municipality_id: str, day: date) -> list[Placement]: ...
    async def forget(self, booking_id: UUID) -> None: ...


class RunSheets(Protocol):
    async def last(self, municipality_id: str, day: date) -> IssuedSheet | None: ...
    async def record(self, municipality_id: str, sheet: RunSheet, at: datetime) -> None: ...


class Work(Protocol):
    @property
    def bookings(self) -> Bookings: ...
    @property
    def directory(self) -> Directory: ...
    @property
    def catalog(self) -> Catalog: ...
    @property
    def rules(self) -> Rules: ...
    @property
    def plans(self) -> Plans: ...
    @property
    def yearly_trips(self) -> YearlyTrips: ...
    @property
    def placements(self) -> Placements: ...
    @property
    def run_sheets(self) -> RunSheets: ...
    @property
    def roads(self) -> Roads: ...

    async def publish(self, event: Event) -> Event: ...
