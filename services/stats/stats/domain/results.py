"""What teachers thought of an event, shown only where enough groups answered that no single
teacher's answers can be picked out."""

from collections import Counter
from dataclasses import dataclass
from uuid import UUID

from kulturbro_contracts.booking import Question
from stats.domain.facts import Evaluation, Facts, OfferedEvent

MIN_GROUPS = 3
SCALE = range(1, 6)


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    answers: int
    mean: float
    counts: dict[int, int]  # how many answered 1, 2, ... 5


@dataclass(frozen=True)
class EventResults:
    event_id: UUID
    title: dict[str, str]
    organizer_id: UUID
    groups_answered: int
    more_needed: int  # groups still to answer before anything is shown
    came: int | None = None
    did_not_come: int | None = None
    questions: tuple[QuestionResult, ...] = ()
    comments: tuple[str, ...] = ()

    @property
    def shown(self) -> bool:
        return self.more_needed == 0


def event_results(facts: Facts, events: list[OfferedEvent]) -> list[EventResults]:
    """Each event's results, in the order given; the figures only from MIN_GROUPS answers on."""
    answered: dict[UUID, list[Evaluation]] = {e.event_id: [] for e in events}
    for evaluation in facts.evaluations:
        if evaluation.event_id in answered:
            answered[evaluation.event_id].append(evaluation)
    found = []
    for event in events:
        given = answered[event.event_id]
        more_needed = max(MIN_GROUPS - len(given), 0)
        if more_needed:
            found.append(
                EventResults(
                    event.event_id, event.title, event.organizer_id, len(given), more_needed
                )
            )
            continue
        questions = []
        for question in Question:
            scores = [e.scores[question] for e in given if question in e.scores]
            if scores:
                counts = Counter(scores)
                questions.append(
                    QuestionResult(
                        question,
                        len(scores),
                        sum(scores) / len(scores),
                        {score: counts[score] for score in SCALE},
                    )
                )
        found.append(
            EventResults(
                event.event_id,
                event.title,
                event.organizer_id,
                len(given),
                0,
                came=sum(1 for e in given if e.came),
                did_not_come=sum(1 for e in given if not e.came),
                questions=tuple(questions),
                # In an order of their own, not the order given: that might tell who wrote which.
                comments=tuple(sorted(e.comment.strip() for e in given if e.comment.strip())),
            )
        )
    return found
