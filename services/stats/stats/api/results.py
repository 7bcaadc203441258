"""Evaluation results: an organizer reads its own events', the culture office all of its
municipality's; the figures only where at least three groups answered."""

from typing import Any

from fastapi import APIRouter

from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow
from stats.api.downloads import Format, csv_response
from stats.domain.facts import title_of
from stats.domain.results import MIN_GROUPS, SCALE, EventResults, event_results
from stats.reading import StatsReader

router = APIRouter(tags=["evaluations"])


@router.get("/evaluations/results", **allow(Role.ORGANIZER, Role.ADMINISTRATOR))
async def results(
    caller: MunicipalCallerDep, runtime: RuntimeDep, format: Format = Format.JSON
) -> Any:
    """Per event: how many groups answered; from three on, counts and means per question, whether
    the groups came, and the comments. An organizer sees only its own events."""
    assert caller.municipality_id is not None
    async with runtime.database.sessions() as session:
        reader = StatsReader(session)
        facts = await reader.facts(caller.municipality_id)
        fresh = await reader.fresh_as_of(caller.municipality_id)
    events = facts.events
    if caller.role is Role.ORGANIZER:
        events = [e for e in events if str(e.organizer_id) == caller.organizer_id]
    found = event_results(facts, sorted(events, key=lambda e: (e.label, str(e.event_id))))
    if format is Format.CSV:
        return csv_response(_table(found), "kulturbro-evaluations")
    return {
        "fresh_as_of": fresh,
        "minimum_groups": MIN_GROUPS,
        "events": [_json(r, facts.organizers.get(r.organizer_id)) for r in found],
    }


def _json(result: EventResults, organizer: str | None) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "event_id": result.event_id,
        "title": result.title,
        "organizer_id": result.organizer_id,
        "organizer": organizer,
        "groups_answered": result.groups_answered,
        "shown": result.shown,
        "more_needed": result.more_needed,
    }
    if not result.shown:
        return shown
    return shown | {
        "came": result.came,
        "did_not_come": result.did_not_come,
        "questions": [
            {
                "question": q.question,
                "answers": q.answers,
                "mean": round(q.mean, 2),
                "counts": {str(score): count for score, count in q.counts.items()},
            }
            for q in result.questions
        ],
        "comments": list(result.comments),
    }


def _table(found: list[EventResults]) -> tuple[list[str], list[list[Any]]]:
    header = [
        *("event_id", "title", "groups_answered", "more_needed"),
        *("question", "answers", "mean", *(f"answered_{score}" for score in SCALE), "comment"),
    ]
    rows: list[list[Any]] = []
    for r in found:
        first = [str(r.event_id), title_of(r.title), r.groups_answered, r.more_needed]
        if not r.shown:
            rows.append(first + [None] * (len(header) - len(first)))
        for q in r.questions:
            counts = [q.counts[score] for score in SCALE]
            rows.append([*first, q.question.value, q.answers, round(q.mean, 2), *counts, None])
        for comment in r.comments:
            rows.append([*first, None, None, None, *(None for _ in SCALE), comment])
    return header, rows
