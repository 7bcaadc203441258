"""The evaluation form says each problem beside its question before anything is sent, and fills
itself with what was given, to correct it."""

from uuid import uuid4

from web.evaluation_form import form_of, read_evaluation_form, refused_field
from web.platform import EvaluationAnswers, EvaluationState, Question

ASKED = [Question.OVERALL, Question.AGE_FIT, Question.ENGAGEMENT, Question.ARRANGEMENTS]


def state(questions: list[Question] = ASKED) -> EvaluationState:
    return EvaluationState(booking_id=uuid4(), event_id=uuid4(), questions=questions)


def all_scored(**extra: str) -> dict[str, str]:
    return (
        {"came": "yes", "pupils_present": "19"} | {f"score_{q.value}": "4" for q in ASKED} | extra
    )


def test_a_complete_form_gives_the_answers() -> None:
    form = read_evaluation_form(all_scored(comment=" Bra! "), state())
    assert form.problems == {}
    assert form.answers == EvaluationAnswers(
        came=True, pupils_present=19, scores=dict.fromkeys(ASKED, 4), comment="Bra!"
    )


def test_each_problem_is_named_beside_its_field() -> None:
    fields = all_scored(pupils_present="0", score_overall="6", score_age_fit="")
    form = read_evaluation_form(fields, state())
    assert set(form.problems) == {"pupils_present", "score_overall", "score_age_fit"}
    assert form.answers is None
    assert form.values["score_overall"] == "6", "what she chose is kept"
    assert "came" in read_evaluation_form({}, state()).problems


def test_a_group_that_did_not_come_is_not_asked_for_scores_and_the_bus_may_be_skipped() -> None:
    absent = read_evaluation_form({"came": "no", "score_overall": "5"}, state())
    assert absent.answers == EvaluationAnswers(came=False, pupils_present=None, scores={})
    by_bus = read_evaluation_form(all_scored(), state([*ASKED, Question.BUS]))
    assert by_bus.problems == {} and by_bus.answers is not None
    assert Question.BUS not in by_bus.answers.scores


def test_a_comment_longer_than_the_service_keeps_is_refused() -> None:
    assert "comment" in read_evaluation_form(all_scored(comment="x" * 2001), state()).problems


def test_the_form_fills_with_what_was_given_and_refusals_land_on_their_field() -> None:
    given = EvaluationAnswers(came=True, pupils_present=20, scores={Question.OVERALL: 5})
    assert form_of(given).values == {
        "came": "yes",
        "pupils_present": "20",
        "comment": "",
        "score_overall": "5",
    }
    assert form_of(None).values == {}
    assert refused_field("scores.age_fit") == "score_age_fit"
    assert refused_field("pupils_present") == "pupils_present"
    assert refused_field("body") == "came"
