"""The projections' typed repositories, and the unit of work that holds them for one transaction.

Handlers write through these and nothing else, so a handler's test runs against a fake in
memory (services/stats/tests/fakes.py) while the service writes PostgreSQL.
"""

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import func, or_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kulturbro_contracts.allocation import Allocation, Release
from kulturbro_contracts.booking import Attendance, BookingRequest, Evaluation
from kulturbro_contracts.catalog import Occurrence, PublishedEvent
from kulturbro_contracts.directory import Group, Municipality, School
from stats import db


class DirectoryRepository(Protocol):
    async def save_municipality(self, municipality_id: str, municipality: Municipality) -> None: ...
    async def save_school(self, municipality_id: str, school: School) -> None: ...
    async def remove_school(self, municipality_id: str, unit_id: UUID) -> None: ...
    async def save_group(self, municipality_id: str, group: Group) -> None: ...
    async def remove_group(self, municipality_id: str, group_id: UUID) -> None: ...


class OfferingRepository(Protocol):
    async def save_organizer(self, organizer_id: UUID, name: str) -> None: ...
    async def save_event(self, municipality_id: str, event: PublishedEvent) -> None: ...
    async def save_occurrence(
        self, municipality_id: str, event_id: UUID, occurrence: Occurrence
    ) -> None: ...
    async def cancel_occurrence(self, municipality_id: str, occurrence_id: UUID) -> None: ...
    async def cancel_event(self, municipality_id: str, event_id: UUID) -> None: ...


class BookingRepository(Protocol):
    """A booking's facts arrive in any order (booking's and allocation's topics): each only
    fills in what it knows."""

    async def requested(self, municipality_id: str, request: BookingRequest) -> None: ...
    async def allocated(self, municipality_id: str, allocation: Allocation) -> None: ...
    async def released(self, municipality_id: str, release: Release) -> None: ...
    async def waitlisted(self, municipality_id: str, event_id: UUID, booking_id: UUID) -> None: ...
    async def rejected(self, municipality_id: str, event_id: UUID, booking_id: UUID) -> None: ...
    async def cancelled(self, municipality_id: str, event_id: UUID, booking_id: UUID) -> None: ...
    async def attended(self, municipality_id: str, attendance: Attendance) -> None:
        """Keeps the latest record, whichever order the records arrive in."""

    async def bus(
        self, municipality_id: str, event_id: UUID, booking_id: UUID, scheduled: bool
    ) -> None: ...


class EvaluationRepository(Protocol):
    async def save(self, municipality_id: str, evaluation: Evaluation) -> None:
        """Keeps the latest revision, whichever order the revisions arrive in."""


class FreshnessRepository(Protocol):
    async def applied(self, municipality_id: str, occurred_at: datetime) -> None: ...


class Projections(Protocol):
    """The unit of work a stats handler gets: every projection it may write."""

    directory: DirectoryRepository
    offering: OfferingRepository
    bookings: BookingRepository
    evaluations: EvaluationRepository
    freshness: FreshnessRepository


class _Table:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _upsert(self, table: Any, key: str, values: dict[str, Any], **changes: Any) -> None:
        await self.session.execute(
            insert(table)
            .values(values)
            .on_conflict_do_update(
                index_elements=[key],
                set_=changes or {k: v for k, v in values.items() if k != key},
            )
        )


class SqlDirectory(_Table):
    async def save_municipality(self, municipality_id: str, municipality: Municipality) -> None:
        values = {
            "municipality_id": municipality_id,
            "name": municipality.name,
            "time_zone": municipality.time_zone,
        }
        await self._upsert(db.municipality, "municipality_id", values)

    async def save_school(self, municipality_id: str, school: School) -> None:
        values = {
            "unit_id": school.unit_id,
            "municipality_id": municipality_id,
            "name": school.name,
            "kind": school.kind.value,
            "district": school.district,
        }
        await self._upsert(db.school, "unit_id", values)

    async def remove_school(self, municipality_id: str, unit_id: UUID) -> None:
        await self.session.execute(
            db.school.delete().where(
                db.school.c.unit_id == unit_id, db.school.c.municipality_id == municipality_id
            )
        )

    async def save_group(self, municipality_id: str, group: Group) -> None:
        values = {
            "group_id": group.group_id,
            "municipality_id": municipality_id,
            "unit_id": group.unit_id,
            "target_group": group.target_group.value,
            "pupils": group.size,
            "name": group.name,
        }
        await self._upsert(db.pupil_group, "group_id", values)

    async def remove_group(self, municipality_id: str, group_id: UUID) -> None:
        await self.session.execute(
            db.pupil_group.delete().where(
                db.pupil_group.c.group_id == group_id,
                db.pupil_group.c.municipality_id == municipality_id,
            )
        )


class SqlOffering(_Table):
    async def save_organizer(self, organizer_id: UUID, name: str) -> None:
        await self._upsert(
            db.organizer, "organizer_id", {"organizer_id": organizer_id, "name": name}
        )

    async def save_event(self, municipality_id: str, event: PublishedEvent) -> None:
        values = {
            "event_id": event.event_id,
            "municipality_id": municipality_id,
            "organizer_id": event.organizer_id,
            "title": {language.value: text for language, text in event.title.items()},
            "target_groups": [target.value for target in event.target_groups],
            "cancelled": False,
        }
        await self._upsert(db.offered_event, "event_id", values)
        for occurrence in event.occurrences:
            await self.save_occurrence(municipality_id, event.event_id, occurrence)
        # The event as it now stands: an occurrence it no longer lists was cancelled.
        await self.session.execute(
            update(db.offered_occurrence)
            .where(
                db.offered_occurrence.c.event_id == event.event_id,
                db.offered_occurrence.c.occurrence_id.not_in(
                    [o.occurrence_id for o in event.occurrences]
                ),
            )
            .values(cancelled=True)
        )

    async def save_occurrence(
        self, municipality_id: str, event_id: UUID, occurrence: Occurrence
    ) -> None:
        values = {
            "occurrence_id": occurrence.occurrence_id,
            "municipality_id": municipality_id,
            "event_id": event_id,
            "starts_at": occurrence.starts_at,
            "ends_at": occurrence.ends_at,
            "capacity": occurrence.capacity,
            "cancelled": False,
        }
        await self._upsert(db.offered_occurrence, "occurrence_id", values)

    async def cancel_occurrence(self, municipality_id: str, occurrence_id: UUID) -> None:
        table = db.offered_occurrence
        await self.session.execute(
            update(table)
            .where(
                table.c.occurrence_id == occurrence_id, table.c.municipality_id == municipality_id
            )
            .values(cancelled=True)
        )

    async def cancel_event(self, municipality_id: str, event_id: UUID) -> None:
        for table in (db.offered_event, db.offered_occurrence):
            await self.session.execute(
                update(table)
                .where(table.c.event_id == event_id, table.c.municipality_id == municipality_id)
                .values(cancelled=True)
            )


class SqlBookings(_Table):
    async def requested(self, municipality_id: str, request: BookingRequest) -> None:
        values = {
            "booking_id": request.booking_id,
            "municipality_id": municipality_id,
            "event_id": request.event_id,
            "group_id": request.group_id,
            "unit_id": request.unit_id,
            "first_choice": request.occurrence_ids[0],
            "pupils": request.pupils,
            "adults": request.adults,
            "wants_bus": request.wants_bus,
            "offer_id": request.offer_id,
        }
        await self._upsert(db.booking, "booking_id", values)

    async def allocated(self, municipality_id: str, allocation: Allocation) -> None:
        table = db.booking
        values = {
            "booking_id": allocation.booking_id,
            "municipality_id": municipality_id,
            "event_id": allocation.event_id,
            "group_id": allocation.group_id,
            "unit_id": allocation.unit_id,
            "occurrence_id": allocation.occurrence_id,
            "seats": allocation.seats,
            "allocated": True,
        }
        await self._upsert(
            table,
            "booking_id",
            values,
            occurrence_id=allocation.occurrence_id,
            seats=table.c.seats + allocation.seats,
            allocated=True,
            group_id=allocation.group_id,
            unit_id=allocation.unit_id,
        )

    async def released(self, municipality_id: str, release: Release) -> None:
        table = db.booking
        values = {
            "booking_id": release.booking_id,
            "municipality_id": municipality_id,
            "event_id": release.event_id,
        }
        await self._upsert(
            table, "booking_id", values, seats=func.greatest(table.c.seats - release.seats, 0)
        )

    async def waitlisted(self, municipality_id: str, event_id: UUID, booking_id: UUID) -> None:
        await self._flag(municipality_id, event_id, booking_id, "waitlisted")

    async def rejected(self, municipality_id: str, event_id: UUID, booking_id: UUID) -> None:
        await self._flag(municipality_id, event_id, booking_id, "rejected")

    async def cancelled(self, municipality_id: str, event_id: UUID, booking_id: UUID) -> None:
        await self._flag(municipality_id, event_id, booking_id, "cancelled")

    async def attended(self, municipality_id: str, attendance: Attendance) -> None:
        table = db.booking
        values = {
            "booking_id": attendance.booking_id,
            "municipality_id": municipality_id,
            "event_id": attendance.event_id,
            "group_id": attendance.group_id,
            "unit_id": attendance.unit_id,
            "attended": attendance.came,
            "pupils_attended": attendance.pupils_present,
            "attendance_recorded_at": attendance.recorded_at,
        }
        recorded = insert(table).values(values)
        await self.session.execute(
            recorded.on_conflict_do_update(
                index_elements=["booking_id"],
                set_={
                    name: value
                    for name, value in values.items()
                    if name not in ("booking_id", "municipality_id", "event_id")
                },
                # The latest record counts, whichever order the records arrive in.
                where=or_(
                    table.c.attendance_recorded_at.is_(None),
                    table.c.attendance_recorded_at < recorded.excluded.attendance_recorded_at,
                ),
            )
        )

    async def bus(
        self, municipality_id: str, event_id: UUID, booking_id: UUID, scheduled: bool
    ) -> None:
        values = {
            "booking_id": booking_id,
            "municipality_id": municipality_id,
            "event_id": event_id,
            "bus_scheduled": scheduled,
        }
        await self._upsert(db.booking, "booking_id", values, bus_scheduled=scheduled)

    async def _flag(
        self, municipality_id: str, event_id: UUID, booking_id: UUID, flag: str
    ) -> None:
        values = {
            "booking_id": booking_id,
            "municipality_id": municipality_id,
            "event_id": event_id,
            flag: True,
        }
        await self._upsert(db.booking, "booking_id", values, **{flag: True})


class SqlEvaluations(_Table):
    async def save(self, municipality_id: str, evaluation: Evaluation) -> None:
        values = {
            "booking_id": evaluation.booking_id,
            "municipality_id": municipality_id,
            "event_id": evaluation.event_id,
            "occurrence_id": evaluation.occurrence_id,
            "group_id": evaluation.group_id,
            "unit_id": evaluation.unit_id,
            "came": evaluation.came,
            "pupils_present": evaluation.pupils_present,
            "scores": {question.value: score for question, score in evaluation.scores.items()},
            "comment": evaluation.comment,
            "revision": evaluation.revision,
        }
        later = insert(db.evaluation).values(values)
        await self.session.execute(
            later.on_conflict_do_update(
                index_elements=["booking_id"],
                set_={k: v for k, v in values.items() if k != "booking_id"},
                where=db.evaluation.c.revision < later.excluded.revision,
            )
        )


class SqlFreshness(_Table):
    async def applied(self, municipality_id: str, occurred_at: datetime) -> None:
        table = db.freshness
        values = {"municipality_id": municipality_id, "fresh_as_of": occurred_at}
        await self._upsert(
            table,
            "municipality_id",
            values,
            fresh_as_of=func.greatest(table.c.fresh_as_of, occurred_at),
        )


class SqlProjections:
    def __init__(self, session: AsyncSession) -> None:
        self.directory: DirectoryRepository = SqlDirectory(session)
        self.offering: OfferingRepository = SqlOffering(session)
        self.bookings: BookingRepository = SqlBookings(session)
        self.evaluations: EvaluationRepository = SqlEvaluations(session)
        self.freshness: FreshnessRepository = SqlFreshness(session)
