"""A teacher's evaluation of a visit: what she chose, kept as chosen, checked as the booking
service checks it, so each problem is read beside its question before anything is sent."""

from dataclasses import dataclass, field

from kulturbro_contracts import limits
from web.platform import EvaluationAnswers, EvaluationState, Question
from web.words import N_

MAX_COMMENT = 2000
QUESTIONS = {
    Question.OVERALL: N_("The performance or visit as a whole"),
    Question.AGE_FIT: N_("How well it suited the pupils' age"),
    Question.ENGAGEMENT: N_("The pupils' engagement"),
    Question.ARRANGEMENTS: N_("The venue and practical arrangements"),
    Question.BUS: N_("The culture bus"),
}
SCALE = range(1, 6)


def score_field(question: Question) -> str:
    return f"score_{question.value}"


@dataclass
class EvaluationForm:
    values: dict[str, str]
    problems: dict[str, str] = field(default_factory=dict)
    answers: EvaluationAnswers | None = None


def form_of(given: EvaluationAnswers | None) -> EvaluationForm:
    """The form filled with what was answered before, to correct it."""
    if given is None:
        return EvaluationForm({})
    values = {
        "came": "yes" if given.came else "no",
        "pupils_present": str(given.pupils_present or ""),
        "comment": given.comment,
    }
    values |= {score_field(q): str(score) for q, score in given.scores.items()}
    return EvaluationForm(values)


def read_evaluation_form(fields: dict[str, str], state: EvaluationState) -> EvaluationForm:
    """The form as posted, and the first problem of each field."""
    names = ["came", "pupils_present", "comment", *(score_field(q) for q in state.questions)]
    form = EvaluationForm({name: fields.get(name, "").strip() for name in names})
    values, problems = form.values, form.problems
    if values["came"] not in ("yes", "no"):
        problems["came"] = N_("Say whether the group came.")
    came = values["came"] == "yes"
    pupils = values["pupils_present"]
    if came and not (pupils.isdigit() and 1 <= int(pupils) <= limits.MAX_PUPILS_PER_GROUP):
        problems["pupils_present"] = N_("Write how many pupils came, a number from 1 to 1000.")
    scores: dict[Question, int] = {}
    for question in state.questions if came else []:
        chosen = values[score_field(question)]
        if chosen.isdigit() and int(chosen) in SCALE:
            scores[question] = int(chosen)
        elif question is not Question.BUS:  # a teacher who did not notice the bus may skip it
            problems[score_field(question)] = N_("Choose from 1 (poor) to 5 (excellent).")
    if len(values["comment"]) > MAX_COMMENT:
        problems["comment"] = N_("Write at most 2000 characters.")
    if not problems:
        form.answers = EvaluationAnswers(
            came=came,
            pupils_present=int(pupils) if came else None,
            scores=scores,
            comment=values["comment"],
        )
    return form


def refused_field(name: str) -> str:
    """The form's field for a field the booking service named."""
    if name.startswith("scores."):
        return f"score_{name.removeprefix('scores.')}"
    return name if name in ("came", "pupils_present", "comment") else "came"
