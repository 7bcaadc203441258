"""Reach for the culture office: its goal (a setting), the school groups no visit and no request
has reached this school year (whom to offer held-back seats), and per term the reach with
outreach beside the reach the requests alone gave."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from kulturbro_contracts.vocabulary import TargetGroup
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow
from stats.api.common import Now, known_year
from stats.domain.facts import Facts
from stats.domain.periods import Term, local_day, school_year_of
from stats.domain.reach import (
    GROUPS_PERCENT,
    VISITS_PER_GROUP,
    Reach,
    ReachGoal,
    TermReach,
    UnreachedSchool,
    reach_by_term,
    unreached,
)
from stats.reading import DEFAULT_TIME_ZONE, StatsReader

router = APIRouter(tags=["reach"])
READERS = allow(Role.ADMINISTRATOR, Role.ANALYST)

SchoolYearQuery = Annotated[
    str | None,
    Query(
        min_length=7,
        max_length=7,
        description="a school year as 2026-27; the current one if none",
        examples=["2026-27"],
    ),
]


class Goal(BaseModel):
    visits_per_group: int = Field(
        default=1,
        ge=VISITS_PER_GROUP[0],
        le=VISITS_PER_GROUP[1],
        description="visits each group should have in a school year",
    )
    groups_percent: int = Field(
        default=100,
        ge=GROUPS_PERCENT[0],
        le=GROUPS_PERCENT[1],
        description="the share of the school groups, in percent, that should have them",
    )


class UnreachedGroup(BaseModel):
    group_id: UUID
    name: str | None
    target_group: TargetGroup
    pupils: int


class SchoolNotReached(BaseModel):
    unit_id: UUID
    name: str
    district: str | None
    whole_school: bool = Field(description="none of its groups had a visit or asked for one")
    groups: list[UnreachedGroup]


class Unreached(BaseModel):
    municipality_id: str
    school_year: str
    fresh_as_of: datetime | None
    goal: Goal
    groups_unreached: int
    schools_unreached: int = Field(description="schools none of whose groups was reached or asked")
    schools: list[SchoolNotReached]


class ReachFigures(BaseModel):
    schools: int
    groups: int
    pupils: int
    schools_reached: int
    groups_reached: int
    pupils_reached: int
    schools_share: float | None
    groups_share: float | None


class ReachInTerm(BaseModel):
    term: Term | None = Field(description="autumn, spring, or null for the whole school year")
    requests_alone: ReachFigures = Field(description="visits the teachers asked for themselves")
    with_outreach: ReachFigures = Field(description="and the visits from accepted offers")
    groups_meeting_goal: int
    groups_needed: int
    goal_met: bool


class ReachByTerm(BaseModel):
    municipality_id: str
    school_year: str
    fresh_as_of: datetime | None
    goal: Goal
    terms: list[ReachInTerm]


@router.get("/reach/goal", **READERS)
async def goal(caller: MunicipalCallerDep, runtime: RuntimeDep) -> Goal:
    """The municipality's reach goal: every group one visit a school year unless it set another."""
    assert caller.municipality_id is not None
    async with runtime.database.sessions() as session:
        return _goal(await StatsReader(session).reach_goal(caller.municipality_id))


@router.put("/reach/goal", **allow(Role.ADMINISTRATOR))
async def choose_goal(chosen: Goal, caller: MunicipalCallerDep, runtime: RuntimeDep) -> Goal:
    """Set the reach goal: how many visits a school year, for what share of the groups."""
    assert caller.municipality_id is not None
    async with runtime.database.sessions() as session, session.begin():
        await StatsReader(session).choose_reach_goal(
            caller.municipality_id, ReachGoal(chosen.visits_per_group, chosen.groups_percent)
        )
    return chosen


@router.get("/reach/unreached", **READERS)
async def unreached_groups(
    caller: MunicipalCallerDep, runtime: RuntimeDep, now: Now, school_year: SchoolYearQuery = None
) -> Unreached:
    """The school groups with no visit and no request this school year, per school by name."""
    year, facts, goal, fresh = await _read(caller.municipality_id, runtime, now, school_year)
    schools = [_school(found) for found in unreached(facts, year)]
    return Unreached(
        municipality_id=str(caller.municipality_id),
        school_year=year,
        fresh_as_of=fresh,
        goal=_goal(goal),
        groups_unreached=sum(len(s.groups) for s in schools),
        schools_unreached=sum(1 for s in schools if s.whole_school),
        schools=schools,
    )


@router.get("/reach/terms", **READERS)
async def reach_per_term(
    caller: MunicipalCallerDep, runtime: RuntimeDep, now: Now, school_year: SchoolYearQuery = None
) -> ReachByTerm:
    """Per term and for the whole school year: the schools, groups and pupils with at least one
    visit, from the requests alone and with the offers of held-back seats."""
    year, facts, goal, fresh = await _read(caller.municipality_id, runtime, now, school_year)
    return ReachByTerm(
        municipality_id=str(caller.municipality_id),
        school_year=year,
        fresh_as_of=fresh,
        goal=_goal(goal),
        terms=[_term(reach) for reach in reach_by_term(facts, year, goal)],
    )


async def _read(
    municipality_id: str | None, runtime: RuntimeDep, now: datetime, school_year: str | None
) -> tuple[str, Facts, ReachGoal, datetime | None]:
    """The school year asked for (one with figures, or the current one), the facts, the goal."""
    assert municipality_id is not None
    async with runtime.database.sessions() as session:
        reader = StatsReader(session)
        known = await reader.municipality(municipality_id)
        current = school_year_of(local_day(now, known.time_zone if known else DEFAULT_TIME_ZONE))
        year = school_year or current
        known_year(year, sorted({*await reader.school_years(municipality_id), current}))
        facts = await reader.facts(municipality_id)
        goal = await reader.reach_goal(municipality_id)
        fresh = await reader.fresh_as_of(municipality_id)
    return year, facts, goal, fresh


def _goal(goal: ReachGoal) -> Goal:
    return Goal(visits_per_group=goal.visits_per_group, groups_percent=goal.groups_percent)


def _school(found: UnreachedSchool) -> SchoolNotReached:
    return SchoolNotReached(
        unit_id=found.school.unit_id,
        name=found.school.name,
        district=found.school.district,
        whole_school=found.whole,
        groups=[
            UnreachedGroup(
                group_id=g.group_id, name=g.name, target_group=g.target_group, pupils=g.pupils
            )
            for g in found.groups
        ],
    )


def _figures(reach: Reach) -> ReachFigures:
    return ReachFigures(
        schools=reach.schools,
        groups=reach.groups,
        pupils=reach.pupils,
        schools_reached=reach.schools_reached,
        groups_reached=reach.groups_reached,
        pupils_reached=reach.pupils_reached,
        schools_share=_rounded(reach.schools_share),
        groups_share=_rounded(reach.groups_share),
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _term(reach: TermReach) -> ReachInTerm:
    return ReachInTerm(
        term=reach.term,
        requests_alone=_figures(reach.requests_alone),
        with_outreach=_figures(reach.with_outreach),
        groups_meeting_goal=reach.groups_meeting_goal,
        groups_needed=reach.groups_needed,
        goal_met=reach.goal_met,
    )
