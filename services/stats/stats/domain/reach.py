"""Reach as outreach sees it: the municipality's goal, the school groups nobody has reached or
asked for yet this school year, and per term the reach with the offers of held-back seats beside
the reach the teachers' own requests gave.

A group is reached by a visit (as in stats.domain.figures); it has asked when it has a booking in
the period that was not cancelled (waiting, refused or decided alike). A visit whose booking
accepted an offer (it carries the offer's id) counts only in the reach with outreach. School
groups only: elderly care is not part of a school year's reach.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from math import ceil
from uuid import UUID

from stats.domain.facts import Booking, BookingStatus, Facts, Group, School
from stats.domain.figures import Municipality, Period, share
from stats.domain.periods import Term

# What the culture office may set: a goal beyond a visit a month is no goal but a wish.
VISITS_PER_GROUP = (1, 12)
GROUPS_PERCENT = (1, 100)
# Reach does not ask whether a visit has ended yet: any clock will do.
WHENEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ReachGoal:
    """Every group (groups_percent of them) at least visits_per_group visits per school year."""

    visits_per_group: int = 1
    groups_percent: int = 100

    def groups_needed(self, groups: int) -> int:
        return ceil(groups * self.groups_percent / 100)


@dataclass(frozen=True)
class UnreachedSchool:
    """A school with groups that had no visit and made no request; whole when none of its
    groups had or asked for one."""

    school: School
    groups: list[Group]
    whole: bool


@dataclass(frozen=True)
class Reach:
    schools: int
    groups: int
    pupils: int
    schools_reached: int
    groups_reached: int
    pupils_reached: int

    @property
    def schools_share(self) -> float | None:
        return share(self.schools_reached, self.schools)

    @property
    def groups_share(self) -> float | None:
        return share(self.groups_reached, self.groups)


@dataclass(frozen=True)
class TermReach:
    """One term (or the whole school year, term None): reach from requests alone and with
    outreach; how many groups have as many visits as the goal asks."""

    term: Term | None
    requests_alone: Reach
    with_outreach: Reach
    groups_meeting_goal: int
    groups_needed: int

    @property
    def goal_met(self) -> bool:
        return self.groups_meeting_goal >= self.groups_needed


def unreached(facts: Facts, school_year: str) -> list[UnreachedSchool]:
    """The schools, by name, with groups neither visited nor asking this school year."""
    period = Municipality(facts, Period(school_year), WHENEVER)
    involved = {
        b.group_id for b in period.pupil_bookings() if b.status is not BookingStatus.CANCELLED
    }
    schools = {s.unit_id: s for s in facts.schools}
    by_school = _by_school(period.pupil_groups(), schools)
    found = []
    for unit_id, groups in by_school.items():
        left = sorted(
            (g for g in groups if g.group_id not in involved),
            key=lambda g: (g.name or "", str(g.group_id)),
        )
        if left:
            found.append(UnreachedSchool(schools[unit_id], left, whole=len(left) == len(groups)))
    return sorted(found, key=lambda s: (s.school.name, str(s.school.unit_id)))


def reach_by_term(facts: Facts, school_year: str, goal: ReachGoal) -> list[TermReach]:
    """The autumn, the spring and the whole school year, in that order."""
    return [
        _term_reach(facts, Period(school_year, term), goal)
        for term in (Term.AUTUMN, Term.SPRING, None)
    ]


def _term_reach(facts: Facts, period: Period, goal: ReachGoal) -> TermReach:
    municipality = Municipality(facts, period, WHENEVER)
    groups = municipality.pupil_groups()
    visits = [b for b in municipality.pupil_bookings() if municipality.is_visit(b)]
    schools = {s.unit_id: s for s in facts.schools}
    per_group: dict[UUID | None, int] = defaultdict(int)
    for visit in visits:
        per_group[visit.group_id] += 1
    meeting = sum(1 for g in groups if per_group[g.group_id] >= goal.visits_per_group)
    return TermReach(
        term=period.term,
        requests_alone=_reach(groups, schools, visits, lambda b: b.offer_id is None),
        with_outreach=_reach(groups, schools, visits, lambda b: True),
        groups_meeting_goal=meeting,
        groups_needed=goal.groups_needed(len(groups)),
    )


def _reach(
    groups: list[Group],
    schools: dict[UUID, School],
    visits: Iterable[Booking],
    counted: Callable[[Booking], bool],
) -> Reach:
    reached = {b.group_id for b in visits if counted(b)}
    by_school = _by_school(groups, schools)
    return Reach(
        schools=len(by_school),
        groups=len(groups),
        pupils=sum(g.pupils for g in groups),
        schools_reached=sum(
            1 for members in by_school.values() if any(g.group_id in reached for g in members)
        ),
        groups_reached=sum(1 for g in groups if g.group_id in reached),
        pupils_reached=sum(g.pupils for g in groups if g.group_id in reached),
    )


def _by_school(groups: Iterable[Group], schools: dict[UUID, School]) -> dict[UUID, list[Group]]:
    """Groups per school the directory still lists."""
    found: dict[UUID, list[Group]] = defaultdict(list)
    for group in groups:
        if group.unit_id in schools:
            found[group.unit_id].append(group)
    return found
