"""Reach as worked out by hand for Lillby and its reach scenario (tests/lillby.py): the groups
nobody reached or asked for, and per term the reach with outreach beside the requests alone."""

import pytest

from stats.domain.facts import Facts
from stats.domain.reach import ReachGoal, reach_by_term, unreached

from . import lillby
from .test_projections import replayed


async def reach_facts() -> Facts:
    return (await replayed(lillby.reach_events())).facts(lillby.MUNICIPALITY)


async def test_the_groups_with_no_visit_and_no_request_per_school() -> None:
    found = unreached(await reach_facts(), lillby.SCHOOL_YEAR)
    listed = [(s.school.name, [g.name for g in s.groups], s.whole) for s in found]
    assert listed == lillby.UNREACHED


async def test_lillby_alone_has_reached_or_heard_from_every_group() -> None:
    """g3 did not come and g5 cancelled, but both asked: neither is for outreach."""
    facts = (await replayed(lillby.events())).facts(lillby.MUNICIPALITY)
    assert unreached(facts, lillby.SCHOOL_YEAR) == []


async def test_a_cancelled_request_is_no_request() -> None:
    told = [
        e for e in lillby.events() if getattr(e.payload, "booking_id", None) != lillby.id_of("b7")
    ]
    facts = (await replayed(told)).facts(lillby.MUNICIPALITY)
    found = unreached(facts, lillby.SCHOOL_YEAR)
    assert [(s.school.name, [g.group_id for g in s.groups], s.whole) for s in found] == [
        ("Skola D", [lillby.id_of("g5")], True)  # b5 cancelled, and b7 never asked
    ]


async def test_another_school_year_has_reached_nobody() -> None:
    found = unreached(await reach_facts(), "2027-28")
    assert sum(len(s.groups) for s in found) == 10
    assert all(s.whole for s in found)


async def test_reach_per_term_with_outreach_beside_the_requests_alone() -> None:
    terms = reach_by_term(await reach_facts(), lillby.SCHOOL_YEAR, ReachGoal())
    for term, (expected_term, alone, with_outreach) in zip(
        terms, lillby.REACH_BY_TERM, strict=True
    ):
        assert term.term == expected_term
        for reach, expected in ((term.requests_alone, alone), (term.with_outreach, with_outreach)):
            assert (reach.schools, reach.groups, reach.pupils) == (7, 10, 200)
            reached = (reach.schools_reached, reach.groups_reached, reach.pupils_reached)
            assert reached == expected, term.term
    year = terms[-1]
    assert year.with_outreach.schools_share == pytest.approx(4 / 7)
    assert year.requests_alone.groups_share == pytest.approx(4 / 10)


@pytest.mark.parametrize(
    ("goal", "meeting", "needed", "met"),
    [
        (ReachGoal(), 5, 10, False),
        (ReachGoal(groups_percent=50), 5, 5, True),
        (ReachGoal(groups_percent=45), 5, 5, True),  # 4.5 groups: five are needed
        (ReachGoal(visits_per_group=2, groups_percent=10), 0, 1, False),
    ],
)
async def test_the_goal_counts_the_groups_with_enough_visits_in_the_year(
    goal: ReachGoal, meeting: int, needed: int, met: bool
) -> None:
    year = reach_by_term(await reach_facts(), lillby.SCHOOL_YEAR, goal)[-1]
    assert (year.groups_meeting_goal, year.groups_needed, year.goal_met) == (meeting, needed, met)
