"""The projections from Lillby's recorded stream give exactly the figures worked out by hand."""

import random

import pytest

from kulturbro_contracts import SeatsAllocated, SeatsReleased
from kulturbro_contracts.booking import EvaluationSubmitted, Question
from kulturbro_contracts.envelope import Event
from stats.domain.figures import Dimension, Figures, Municipality, Period
from stats.domain.periods import Term
from stats.handlers import PROJECTIONS, project

from . import lillby
from .fakes import FakeProjections


async def replayed(events: list[Event]) -> FakeProjections:
    projections = FakeProjections()
    for event in events:
        await project(event, projections, lillby.NOW)
    return projections


def figures(projections: FakeProjections, term: Term | None = None) -> Municipality:
    facts = projections.facts(lillby.MUNICIPALITY)
    return Municipality(facts, Period(lillby.SCHOOL_YEAR, term), lillby.NOW)


def assert_as_by_hand(whole: Figures) -> None:
    for name, expected in lillby.WHOLE_YEAR.items():
        assert getattr(whole, name) == pytest.approx(expected), name
    assert whole.scores == pytest.approx(lillby.WHOLE_YEAR_SCORES)


async def test_the_whole_year_is_as_worked_out_by_hand() -> None:
    assert_as_by_hand(figures(await replayed(lillby.events())).whole())


async def test_decisions_arriving_before_the_requests_they_answer_give_the_same_figures() -> None:
    told = lillby.events()
    decisions = [e for e in told if type(e).stream == "allocation"]
    others = [e for e in told if type(e).stream != "allocation"]
    assert_as_by_hand(figures(await replayed(decisions + others)).whole())


async def test_any_order_between_streams_gives_the_same_figures() -> None:
    told = lillby.events()
    by_stream: dict[str, list[Event]] = {}
    for event in told:
        by_stream.setdefault(type(event).stream, []).append(event)
    shuffled: list[Event] = []
    rng = random.Random(13)
    while any(by_stream.values()):
        stream = rng.choice([s for s, left in by_stream.items() if left])
        shuffled.append(by_stream[stream].pop(0))  # each topic keeps its own order
    assert_as_by_hand(figures(await replayed(shuffled)).whole())


async def test_a_term_holds_only_its_own_occurrences() -> None:
    projections = await replayed(lillby.events())
    spring = figures(projections, Term.SPRING).whole()
    assert (spring.occurrences, spring.visits, spring.pupil_visits) == (1, 1, 15)
    assert (spring.seats_used, spring.seats_booked) == (0, 17 + 11)  # still to come
    autumn = figures(projections, Term.AUTUMN).whole()
    assert autumn.visits + spring.visits == lillby.WHOLE_YEAR["visits"]


async def test_rows_per_district_event_and_organizer() -> None:
    municipality = figures(await replayed(lillby.events()))
    districts = {row.key: row.figures for row in municipality.rows(Dimension.DISTRICT)}
    assert districts["Norr"].visits_per_pupil == pytest.approx(37 / 65)
    assert districts["Söder"].pupils_eligible == 55
    events = {row.label: row.figures for row in municipality.rows(Dimension.EVENT)}
    assert (events["Sagan"].seats_offered, events["Sagan"].no_shows) == (100, 1)
    assert events["Fossiler"].cancellations == 1
    organizers = {row.label: row.figures for row in municipality.rows(Dimension.ORGANIZER)}
    assert organizers["Teater Tittut"].visits == 3  # b1 b2 (Sagan) and b8 (Konsert)
    schools = {row.label: row.figures for row in municipality.rows(Dimension.SCHOOL)}
    assert schools["Skola A"].pupil_visits == 37
    assert municipality.schools_without_visit() == ["Skola B", "Skola D"]


async def test_an_older_revision_of_an_evaluation_arriving_late_changes_nothing() -> None:
    told = lillby.events()
    first = next(e for e in told if isinstance(e, EvaluationSubmitted))
    corrected = first.model_copy(
        update={
            "payload": first.payload.model_copy(
                update={"revision": 2, "scores": {Question.OVERALL: 1}}
            )
        }
    )
    projections = await replayed([*told, corrected, first])
    row = projections.tables["evaluation"][first.payload.booking_id]
    assert (row["revision"], row["scores"]) == (2, {"overall": 1})


async def test_released_seats_are_no_longer_allocated() -> None:
    told = [e for e in lillby.events() if not isinstance(e, SeatsReleased)]
    whole = figures(await replayed(told)).whole()
    assert whole.seats_allocated == lillby.WHOLE_YEAR["seats_allocated"]  # cancelled all the same
    allocated = [e for e in told if isinstance(e, SeatsAllocated)]
    assert len(allocated) == 7


async def test_every_projection_says_how_fresh_the_figures_are() -> None:
    told = lillby.events()
    projections = await replayed(told)
    assert projections.freshness.fresh_as_of == {
        lillby.MUNICIPALITY: max(e.occurred_at for e in told)
    }
    assert {type(e) for e in told} <= set(PROJECTIONS)
