"""The projections read back: one municipality's facts, what exists, how fresh it is."""

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kulturbro_contracts.booking import Question
from kulturbro_contracts.school_year import FIRST_MONTH
from kulturbro_contracts.vocabulary import TargetGroup
from stats import db
from stats.domain.facts import Booking, Evaluation, Facts, Group, Occurrence, OfferedEvent, School
from stats.domain.periods import school_year_starting
from stats.domain.reach import ReachGoal

DEFAULT_TIME_ZONE = "Europe/Stockholm"


@dataclass(frozen=True)
class KnownMunicipality:
    municipality_id: str
    name: str
    time_zone: str
    publishes_open_data: bool


class StatsReader:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def municipalities(self) -> list[KnownMunicipality]:
        rows = await self.session.execute(
            select(db.municipality).order_by(db.municipality.c.municipality_id)
        )
        return [KnownMunicipality(**row) for row in rows.mappings()]

    async def municipality(self, municipality_id: str) -> KnownMunicipality | None:
        row = (
            (
                await self.session.execute(
                    select(db.municipality).where(
                        db.municipality.c.municipality_id == municipality_id
                    )
                )
            )
            .mappings()
            .first()
        )
        return KnownMunicipality(**row) if row else None

    async def choose_publication(self, municipality_id: str, publishes: bool) -> bool:
        """False when the directory has not told of the municipality yet."""
        changed = await self.session.execute(
            update(db.municipality)
            .where(db.municipality.c.municipality_id == municipality_id)
            .values(publishes_open_data=publishes)
            .returning(db.municipality.c.municipality_id)
        )
        return changed.first() is not None

    async def reach_goal(self, municipality_id: str) -> ReachGoal:
        """The culture office's goal, else every group one visit a school year."""
        row = (
            await self.session.execute(
                select(db.reach_goal.c.visits_per_group, db.reach_goal.c.groups_percent).where(
                    db.reach_goal.c.municipality_id == municipality_id
                )
            )
        ).first()
        return ReachGoal(row.visits_per_group, row.groups_percent) if row else ReachGoal()

    async def choose_reach_goal(self, municipality_id: str, goal: ReachGoal) -> None:
        values = {"municipality_id": municipality_id, **asdict(goal)}
        await self.session.execute(
            insert(db.reach_goal)
            .values(values)
            .on_conflict_do_update(index_elements=["municipality_id"], set_=asdict(goal))
        )

    async def fresh_as_of(self, municipality_id: str | None = None) -> datetime | None:
        """When the latest fact held happened: for one municipality, or for all."""
        query = select(db.freshness.c.fresh_as_of).order_by(db.freshness.c.fresh_as_of.desc())
        if municipality_id is not None:
            query = query.where(db.freshness.c.municipality_id == municipality_id)
        return (await self.session.execute(query.limit(1))).scalar()

    async def freshness(self) -> dict[str, datetime]:
        """Every municipality's fresh_as_of."""
        rows = await self.session.execute(select(db.freshness))
        return {row.municipality_id: row.fresh_as_of for row in rows}

    async def school_years(self, municipality_id: str | None = None) -> list[str]:
        """The school years with an occurrence offered: the ones there are figures for."""
        local = db.offered_occurrence.c.starts_at.op("AT TIME ZONE")(
            func.coalesce(db.municipality.c.time_zone, DEFAULT_TIME_ZONE)
        )
        # The year a school year starts in is the calendar year of the day FIRST_MONTH - 1
        # months earlier: July 2026 and June 2027 alike fall in 2026.
        first_year = func.extract("year", local - text(f"interval '{FIRST_MONTH - 1} months'"))
        query = (
            select(first_year)
            .distinct()
            .select_from(
                db.offered_occurrence.outerjoin(
                    db.municipality,
                    db.municipality.c.municipality_id == db.offered_occurrence.c.municipality_id,
                )
            )
        )
        if municipality_id is not None:
            query = query.where(db.offered_occurrence.c.municipality_id == municipality_id)
        return sorted(
            school_year_starting(int(year)) for year in (await self.session.scalars(query))
        )

    async def facts(self, municipality_id: str) -> Facts:
        """Everything one municipality's figures are computed from."""
        return (await self.facts_of([municipality_id]))[municipality_id]

    async def facts_of(self, municipality_ids: Sequence[str]) -> dict[str, Facts]:
        """Each municipality's facts, read in one query per table however many they are."""
        zones = {
            m.municipality_id: m.time_zone
            for m in await self.municipalities()
            if m.municipality_id in municipality_ids
        }
        tables = (
            db.school,
            db.pupil_group,
            db.offered_event,
            db.offered_occurrence,
            db.booking,
            db.evaluation,
        )
        rows: dict[str, dict[str, list[RowMapping]]] = {
            m: {table.name: [] for table in tables} for m in municipality_ids
        }
        for table in tables:
            found = await self.session.execute(
                select(table).where(table.c.municipality_id.in_(municipality_ids))
            )
            for row in found.mappings():
                rows[row["municipality_id"]][table.name].append(row)
        organizer_ids = {e["organizer_id"] for m in rows.values() for e in m["offered_event"]}
        organizers = await self.session.execute(
            select(db.organizer).where(db.organizer.c.organizer_id.in_(organizer_ids))
        )
        names = {row.organizer_id: row.name for row in organizers}
        return {
            m: facts_from_rows(zones.get(m, DEFAULT_TIME_ZONE), rows[m], names)
            for m in municipality_ids
        }


def facts_from_rows(
    time_zone: str, rows: Mapping[str, Sequence[Mapping[Any, Any]]], organizers: dict[UUID, str]
) -> Facts:
    """The projections' rows (by table name) as the domain's facts; the cancelled left out."""
    events = [e for e in rows["offered_event"] if not e["cancelled"]]
    return Facts(
        time_zone=time_zone,
        schools=[School(s["unit_id"], s["name"], s["district"]) for s in rows["school"]],
        groups=[
            Group(
                g["group_id"],
                g["unit_id"],
                TargetGroup(g["target_group"]),
                g["pupils"],
                g["name"],
            )
            for g in rows["pupil_group"]
        ],
        events=[
            OfferedEvent(
                e["event_id"],
                e["organizer_id"],
                e["title"],
                frozenset(TargetGroup(t) for t in e["target_groups"]),
            )
            for e in events
        ],
        occurrences=[
            Occurrence(
                o["occurrence_id"], o["event_id"], o["starts_at"], o["ends_at"], o["capacity"]
            )
            for o in rows["offered_occurrence"]
            if not o["cancelled"]
        ],
        bookings=[Booking(**{name: b[name] for name in BOOKING_FIELDS}) for b in rows["booking"]],
        evaluations=[
            Evaluation(
                booking_id=e["booking_id"],
                event_id=e["event_id"],
                came=e["came"],
                pupils_present=e["pupils_present"],
                scores={Question(q): score for q, score in e["scores"].items()},
                comment=e["comment"],
            )
            for e in rows["evaluation"]
        ],
        organizers=dict(organizers),
    )


BOOKING_FIELDS = [f.name for f in fields(Booking)]
