"""Evaluation results: figures only from three groups on; otherwise how many more are needed."""

from kulturbro_contracts.booking import Question
from stats.domain.results import event_results
from stats.handlers import project

from . import lillby
from .fakes import FakeProjections


async def test_results_show_from_three_groups_and_say_how_many_more_are_needed() -> None:
    projections = FakeProjections()
    for event in lillby.events():
        await project(event, projections, lillby.NOW)
    facts = projections.facts(lillby.MUNICIPALITY)
    found = {r.title["sv"]: r for r in event_results(facts, facts.events)}

    sagan = found["Sagan"]  # b1, b2 and b3 answered
    assert (sagan.shown, sagan.groups_answered, sagan.came, sagan.did_not_come) == (True, 3, 2, 1)
    overall = next(q for q in sagan.questions if q.question is Question.OVERALL)
    assert (overall.answers, overall.mean, overall.counts[5], overall.counts[4]) == (2, 4.5, 1, 1)
    assert sagan.comments == ("Fint",)

    fossiler = found["Fossiler"]  # only b4
    assert (fossiler.shown, fossiler.more_needed, fossiler.questions) == (False, 2, ())
    assert fossiler.comments == ()
