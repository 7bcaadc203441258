"""Transport's repositories over its own schema, and the unit of work that holds them."""

from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import RowMapping, delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kulturbro_contracts import Event
from kulturbro_contracts.directory import Bus as FleetBus
from kulturbro_contracts.directory import School as SchoolFact
from kulturbro_contracts.transport import RunSheet
from kulturbro_replicas import catalog
from kulturbro_replicas.municipalities import locale_of
from kulturbro_runtime import UnitOfWork
from transport.db import (
    bus_booking,
    bus_rules,
    day_plan,
    fleet,
    group_trip,
    placement,
    run_sheet,
    school,
)
from transport.domain import GroupYear, Place
from transport.plans import DayPlanPublic
from transport.records import (
    BookingStatus,
    BusBooking,
    IssuedSheet,
    OccurrenceAt,
    Placement,
    RuleSettings,
    School,
    Told,
)
from transport.roads import roads_of


def _place(latitude: float | None, longitude: float | None) -> Place | None:
    return None if latitude is None or longitude is None else Place(latitude, longitude)


async def _upsert(
    session: AsyncSession, table: Any, keys: list[str], values: dict[str, Any]
) -> None:
    changed = {name: value for name, value in values.items() if name not in keys}
    await session.execute(
        insert(table).values(**values).on_conflict_do_update(index_elements=keys, set_=changed)
    )


class SqlBookings:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _booking(row: RowMapping) -> BusBooking:
        values = dict(row)
        values["status"] = BookingStatus(values["status"])
        values["told"] = None if row["trip"] is None else Told.model_validate(row["trip"])
        del values["trip"]
        return BusBooking(**values)

    @staticmethod
    def _row(booking: BusBooking) -> dict[str, Any]:
        values = dict(vars(booking))
        told = values.pop("told")
        values["trip"] = None if told is None else told.model_dump(mode="json")
        values["status"] = booking.status.value
        return values

    async def add(self, booking: BusBooking) -> None:
        await self.session.execute(
            insert(bus_booking).values(**self._row(booking)).on_conflict_do_nothing()
        )

    async def get(self, booking_id: UUID, *, lock: bool = True) -> BusBooking | None:
        """The booking; locked until the transaction ends unless only read."""
        query = select(bus_booking).where(bus_booking.c.booking_id == booking_id)
        row = (
            (await self.session.execute(query.with_for_update() if lock else query))
            .mappings()
            .first()
        )
        return None if row is None else self._booking(row)

    async def save(self, booking: BusBooking) -> None:
        await _upsert(self.session, bus_booking, ["booking_id"], self._row(booking))

    async def on_day(self, municipality_id: str, day: date) -> list[BusBooking]:
        rows = await self.session.execute(
            select(bus_booking)
            .where(
                bus_booking.c.municipality_id == municipality_id,
                bus_booking.c.day == day,
                bus_booking.c.status == BookingStatus.CONFIRMED.value,
                bus_booking.c.wants_bus,
            )
            .order_by(bus_booking.c.requested_at, bus_booking.c.booking_id)
        )
        return [self._booking(row) for row in rows.mappings()]

    async def on_occurrences(self, occurrence_ids: list[UUID]) -> list[BusBooking]:
        rows = await self.session.execute(
            select(bus_booking).where(bus_booking.c.occurrence_id.in_(occurrence_ids))
        )
        return [self._booking(row) for row in rows.mappings()]

    async def of_groups(self, municipality_id: str, group_ids: list[UUID]) -> list[BusBooking]:
        rows = await self.session.execute(
            select(bus_booking)
            .where(
                bus_booking.c.municipality_id == municipality_id,
                bus_booking.c.group_id.in_(group_ids),
                bus_booking.c.status == BookingStatus.CONFIRMED.value,
                bus_booking.c.wants_bus,
            )
            .order_by(bus_booking.c.day, bus_booking.c.booking_id)
        )
        return [self._booking(row) for row in rows.mappings()]


class SqlDirectory:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def keep_fleet(self, municipality_id: str, buses: list[FleetBus]) -> None:
        values = {
            "municipality_id": municipality_id,
            "buses": [bus.model_dump(mode="json") for bus in buses],
        }
        await _upsert(self.session, fleet, ["municipality_id"], values)

    async def fleet(self, municipality_id: str) -> list[FleetBus]:
        buses = await self.session.scalar(
            select(fleet.c.buses).where(fleet.c.municipality_id == municipality_id)
        )
        return [FleetBus.model_validate(bus) for bus in buses or []]

    async def keep_school(self, municipality_id: str, fact: SchoolFact) -> None:
        values = {
            "unit_id": fact.unit_id,
            "municipality_id": municipality_id,
            "name": fact.name,
            "address": fact.address,
            "latitude": fact.latitude,
            "longitude": fact.longitude,
        }
        await _upsert(self.session, school, ["unit_id"], values)

    async def school(self, unit_id: UUID) -> School | None:
        row = (
            (await self.session.execute(select(school).where(school.c.unit_id == unit_id)))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return School(row["name"], row["address"], _place(row["latitude"], row["longitude"]))

    async def zone(self, municipality_id: str) -> ZoneInfo:
        return ZoneInfo((await locale_of(self.session, municipality_id)).time_zone)


class SqlCatalog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _occurrences(self, *where: Any) -> list[OccurrenceAt]:
        rows = await self.session.execute(
            select(
                catalog.occurrence.c.occurrence_id,
                catalog.occurrence.c.event_id,
                catalog.occurrence.c.starts_at,
                catalog.occurrence.c.ends_at,
                catalog.occurrence.c.cancelled,
                catalog.event.c.venue,
            )
            .join(catalog.event, catalog.event.c.event_id == catalog.occurrence.c.event_id)
            .where(*where)
            .order_by(catalog.occurrence.c.starts_at)
        )
        return [
            OccurrenceAt(
                occurrence_id=row.occurrence_id,
                event_id=row.event_id,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                venue_name=row.venue["name"],
                venue_address=row.venue.get("address"),
                venue=_place(row.venue.get("latitude"), row.venue.get("longitude")),
                cancelled=row.cancelled,
            )
            for row in rows
        ]

    async def occurrence(self, occurrence_id: UUID) -> OccurrenceAt | None:
        found = await self._occurrences(catalog.occurrence.c.occurrence_id == occurrence_id)
        return found[0] if found else None

    async def occurrences_of(self, event_id: UUID) -> list[OccurrenceAt]:
        return await self._occurrences(catalog.occurrence.c.event_id == event_id)


class SqlRules:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, municipality_id: str) -> RuleSettings:
        row = (
            (
                await self.session.execute(
                    select(bus_rules).where(bus_rules.c.municipality_id == municipality_id)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return RuleSettings()
        return RuleSettings.model_validate(dict(row) | {"depots": row["depots"] or []})

    async def save(self, municipality_id: str, settings: RuleSettings) -> None:
        values = settings.model_dump() | {"municipality_id": municipality_id}
        await _upsert(self.session, bus_rules, ["municipality_id"], values)


class SqlYearlyTrips:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def holder(self, group_id: UUID, school_year: int) -> UUID | None:
        return await self.session.scalar(
            select(group_trip.c.booking_id).where(
                group_trip.c.group_id == group_id, group_trip.c.school_year == school_year
            )
        )

    async def claim(
        self, municipality_id: str, group_id: UUID, school_year: int, booking_id: UUID
    ) -> None:
        await self.session.execute(
            insert(group_trip)
            .values(
                group_id=group_id,
                school_year=school_year,
                municipality_id=municipality_id,
                booking_id=booking_id,
            )
            .on_conflict_do_nothing()
        )

    async def release(self, booking_id: UUID) -> GroupYear | None:
        held = (
            await self.session.execute(
                delete(group_trip)
                .where(group_trip.c.booking_id == booking_id)
                .returning(group_trip.c.group_id, group_trip.c.school_year)
            )
        ).first()
        return None if held is None else GroupYear(held.group_id, held.school_year)


class SqlPlacements:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def keep(self, found: Placement) -> None:
        await _upsert(self.session, placement, ["booking_id"], dict(vars(found)))

    async def on_day(self, municipality_id: str, day: date) -> list[Placement]:
        rows = await self.session.execute(
            select(placement)
            .where(placement.c.municipality_id == municipality_id, placement.c.day == day)
            .order_by(placement.c.moved_at)
        )
        return [Placement(**row) for row in rows.mappings()]

    async def forget(self, booking_id: UUID) -> None:
        await self.session.execute(delete(placement).where(placement.c.booking_id == booking_id))


class SqlPlans:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, municipality_id: str, day: date) -> None:
        await self.session.execute(
            text("select pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"transport day plan {municipality_id} {day}"},
        )

    async def get(self, municipality_id: str, day: date) -> DayPlanPublic | None:
        plan = await self.session.scalar(
            select(day_plan.c.plan).where(
                day_plan.c.municipality_id == municipality_id, day_plan.c.day == day
            )
        )
        return None if plan is None else DayPlanPublic.model_validate(plan)

    async def save(self, municipality_id: str, plan: DayPlanPublic, at: datetime) -> None:
        values = {
            "municipality_id": municipality_id,
            "day": plan.day,
            "plan": plan.model_dump(mode="json"),
            "planned_at": at,
        }
        await _upsert(self.session, day_plan, ["municipality_id", "day"], values)

    async def days_since(self, first: date) -> list[tuple[str, date]]:
        """Every municipality's planned days from `first` on."""
        rows = await self.session.execute(
            select(day_plan.c.municipality_id, day_plan.c.day)
            .where(day_plan.c.day >= first)
            .order_by(day_plan.c.day, day_plan.c.municipality_id)
        )
        return [(row.municipality_id, row.day) for row in rows]


class SqlRunSheets:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def last(self, municipality_id: str, day: date) -> IssuedSheet | None:
        row = (
            await self.session.execute(
                select(run_sheet.c.sheet, run_sheet.c.issued_at)
                .where(run_sheet.c.municipality_id == municipality_id, run_sheet.c.day == day)
                .order_by(run_sheet.c.revision.desc())
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        return IssuedSheet(RunSheet.model_validate(row.sheet), row.issued_at)

    async def record(self, municipality_id: str, sheet: RunSheet, at: datetime) -> None:
        await self.session.execute(
            insert(run_sheet).values(
                municipality_id=municipality_id,
                day=sheet.day,
                revision=sheet.revision,
                sheet=sheet.model_dump(mode="json"),
                issued_at=at,
            )
        )


class SqlWork:
    """Transport's repositories on the runtime's unit of work: one transaction with the outbox."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        session = uow.session
        self.bookings = SqlBookings(session)
        self.directory = SqlDirectory(session)
        self.catalog = SqlCatalog(session)
        self.rules = SqlRules(session)
        self.plans = SqlPlans(session)
        self.yearly_trips = SqlYearlyTrips(session)
        self.placements = SqlPlacements(session)
        self.run_sheets = SqlRunSheets(session)
        self.roads = roads_of(uow.settings)

    async def publish(self, event: Event) -> Event:
        return await self.uow.publish(event)
