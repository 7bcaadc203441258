"""The projections in memory: rows as the tables hold them, for handler tests in milliseconds."""

from collections import defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID

from kulturbro_contracts.allocation import Allocation, Release
from kulturbro_contracts.booking import Attendance, BookingRequest, Evaluation
from kulturbro_contracts.catalog import Occurrence, PublishedEvent
from kulturbro_contracts.directory import Group, Municipality, School
from stats.domain.facts import Facts
from stats.reading import DEFAULT_TIME_ZONE, facts_from_rows

Rows = dict[Any, dict[str, Any]]
TABLES = ("school", "pupil_group", "offered_event", "offered_occurrence", "booking", "evaluation")
BOOKING_DEFAULTS = {
    "group_id": None,
    "unit_id": None,
    "first_choice": None,
    "pupils": 0,
    "adults": 0,
    "wants_bus": False,
    "occurrence_id": None,
    "seats": 0,
    "allocated": False,
    "waitlisted": False,
    "rejected": False,
    "cancelled": False,
    "attended": None,
    "pupils_attended": None,
    "attendance_recorded_at": None,
    "bus_scheduled": False,
    "offer_id": None,
}


class FakeDirectory:
    def __init__(self, tables: dict[str, Rows]) -> None:
        self.tables = tables

    async def save_municipality(self, municipality_id: str, municipality: Municipality) -> None:
        kept = self.tables["municipality"].get(municipality_id, {"publishes_open_data": True})
        self.tables["municipality"][municipality_id] = kept | {
            "municipality_id": municipality_id,
            "name": municipality.name,
            "time_zone": municipality.time_zone,
        }

    async def save_school(self, municipality_id: str, school: School) -> None:
        self.tables["school"][school.unit_id] = {
            "unit_id": school.unit_id,
            "municipality_id": municipality_id,
            "name": school.name,
            "kind": school.kind.value,
            "district": school.district,
        }

    async def remove_school(self, municipality_id: str, unit_id: UUID) -> None:
        self.tables["school"].pop(unit_id, None)

    async def save_group(self, municipality_id: str, group: Group) -> None:
        self.tables["pupil_group"][group.group_id] = {
            "group_id": group.group_id,
            "municipality_id": municipality_id,
            "unit_id": group.unit_id,
            "target_group": group.target_group.value,
            "pupils": group.size,
            "name": group.name,
        }

    async def remove_group(self, municipality_id: str, group_id: UUID) -> None:
        self.tables["pupil_group"].pop(group_id, None)


class FakeOffering:
    def __init__(self, tables: dict[str, Rows]) -> None:
        self.tables = tables

    async def save_organizer(self, organizer_id: UUID, name: str) -> None:
        self.tables["organizer"][organizer_id] = {"organizer_id": organizer_id, "name": name}

    async def save_event(self, municipality_id: str, event: PublishedEvent) -> None:
        self.tables["offered_event"][event.event_id] = {
            "event_id": event.event_id,
            "municipality_id": municipality_id,
            "organizer_id": event.organizer_id,
            "title": {language.value: text for language, text in event.title.items()},
            "target_groups": [target.value for target in event.target_groups],
            "cancelled": False,
        }
        listed = {o.occurrence_id for o in event.occurrences}
        for row in self.tables["offered_occurrence"].values():
            if row["event_id"] == event.event_id and row["occurrence_id"] not in listed:
                row["cancelled"] = True
        for occurrence in event.occurrences:
            await self.save_occurrence(municipality_id, event.event_id, occurrence)

    async def save_occurrence(
        self, municipality_id: str, event_id: UUID, occurrence: Occurrence
    ) -> None:
        self.tables["offered_occurrence"][occurrence.occurrence_id] = {
            "occurrence_id": occurrence.occurrence_id,
            "municipality_id": municipality_id,
            "event_id": event_id,
            "starts_at": occurrence.starts_at,
            "ends_at": occurrence.ends_at,
            "capacity": occurrence.capacity,
            "cancelled": False,
        }

    async def cancel_occurrence(self, municipality_id: str, occurrence_id: UUID) -> None:
        if occurrence_id in self.tables["offered_occurrence"]:
            self.tables["offered_occurrence"][occurrence_id]["cancelled"] = True

    async def cancel_event(self, municipality_id: str, event_id: UUID) -> None:
        for table in ("offered_event", "offered_occurrence"):
            for row in self.tables[table].values():
                if row["event_id"] == event_id:
                    row["cancelled"] = True


class FakeBookings:
    def __init__(self, tables: dict[str, Rows]) -> None:
        self.tables = tables

    def _row(self, municipality_id: str, event_id: UUID, booking_id: UUID) -> dict[str, Any]:
        return self.tables["booking"].setdefault(
            booking_id,
            {
                "booking_id": booking_id,
                "municipality_id": municipality_id,
                "event_id": event_id,
                **BOOKING_DEFAULTS,
            },
        )

    async def requested(self, municipality_id: str, request: BookingRequest) -> None:
        self._row(municipality_id, request.event_id, request.booking_id).update(
            group_id=request.group_id,
            unit_id=request.unit_id,
            first_choice=request.occurrence_ids[0],
            pupils=request.pupils,
            adults=request.adults,
            wants_bus=request.wants_bus,
            offer_id=request.offer_id,
        )

    async def allocated(self, municipality_id: str, allocation: Allocation) -> None:
        row = self._row(municipality_id, allocation.event_id, allocation.booking_id)
        row.update(
            group_id=allocation.group_id,
            unit_id=allocation.unit_id,
            occurrence_id=allocation.occurrence_id,
            seats=row["seats"] + allocation.seats,
            allocated=True,
        )

    async def released(self, municipality_id: str, release: Release) -> None:
        row = self._row(municipality_id, release.event_id, release.booking_id)
        row["seats"] = max(row["seats"] - release.seats, 0)

    async def waitlisted(self, municipality_id: str, event_id: UUID, booking_id: UUID) -> None:
        self._row(municipality_id, event_id, booking_id)["waitlisted"] = True

    async def rejected(self, municipality_id: str, event_id: UUID, booking_id: UUID) -> None:
        self._row(municipality_id, event_id, booking_id)["rejected"] = True

    async def cancelled(self, municipality_id: str, event_id: UUID, booking_id: UUID) -> None:
        self._row(municipality_id, event_id, booking_id)["cancelled"] = True

    async def attended(self, municipality_id: str, attendance: Attendance) -> None:
        row = self._row(municipality_id, attendance.event_id, attendance.booking_id)
        if (
            row["attendance_recorded_at"]
            and row["attendance_recorded_at"] >= attendance.recorded_at
        ):
            return
        row.update(
            group_id=attendance.group_id,
            unit_id=attendance.unit_id,
            attended=attendance.came,
            pupils_attended=attendance.pupils_present,
            attendance_recorded_at=attendance.recorded_at,
        )

    async def bus(
        self, municipality_id: str, event_id: UUID, booking_id: UUID, scheduled: bool
    ) -> None:
        self._row(municipality_id, event_id, booking_id)["bus_scheduled"] = scheduled


class FakeEvaluations:
    def __init__(self, tables: dict[str, Rows]) -> None:
        self.tables = tables

    async def save(self, municipality_id: str, evaluation: Evaluation) -> None:
        kept = self.tables["evaluation"].get(evaluation.booking_id)
        if kept is not None and kept["revision"] >= evaluation.revision:
            return
        self.tables["evaluation"][evaluation.booking_id] = {
            "booking_id": evaluation.booking_id,
            "municipality_id": municipality_id,
            "event_id": evaluation.event_id,
            "came": evaluation.came,
            "pupils_present": evaluation.pupils_present,
            "scores": {q.value: score for q, score in evaluation.scores.items()},
            "comment": evaluation.comment,
            "revision": evaluation.revision,
        }


class FakeFreshness:
    def __init__(self) -> None:
        self.fresh_as_of: dict[str, datetime] = {}

    async def applied(self, municipality_id: str, occurred_at: datetime) -> None:
        kept = self.fresh_as_of.get(municipality_id, occurred_at)
        self.fresh_as_of[municipality_id] = max(kept, occurred_at)


class FakeProjections:
    def __init__(self) -> None:
        self.tables: dict[str, Rows] = defaultdict(dict)
        self.directory = FakeDirectory(self.tables)
        self.offering = FakeOffering(self.tables)
        self.bookings = FakeBookings(self.tables)
        self.evaluations = FakeEvaluations(self.tables)
        self.freshness = FakeFreshness()

    def facts(self, municipality_id: str) -> Facts:
        """What the service would read back for the municipality."""
        known = self.tables["municipality"].get(municipality_id)
        rows = {
            name: [r for r in table.values() if r.get("municipality_id") == municipality_id]
            for name, table in self.tables.items()
        }
        for name in TABLES:
            rows.setdefault(name, [])
        names = {o: r["name"] for o, r in self.tables["organizer"].items()}
        return facts_from_rows(known["time_zone"] if known else DEFAULT_TIME_ZONE, rows, names)
