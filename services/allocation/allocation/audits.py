"""Draws as a culture office audits them: which events are drawn, and for one draw its seed, its
inputs and every request in the order the draw served it, with the names of schools and groups."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from allocation.db import allocation_event, draw, seat_request
from allocation.domain import Change
from kulturbro_contracts.vocabulary import BookingPolicy
from kulturbro_replicas import catalog, directory


class DrawState(StrEnum):
    OPEN = "open"  # requests still come in
    DUE = "due"  # the window has closed; the scheduled draw runs within seconds
    DRAWN = "drawn"


class Outcome(StrEnum):
    ALLOCATED = "allocated"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"


class DrawSummary(BaseModel):
    event_id: UUID
    title: dict[str, str]
    policy: BookingPolicy
    booking_closes_at: datetime | None
    drawn_at: datetime | None
    requests: int
    state: DrawState


class DrawnOccurrence(BaseModel):
    id: UUID
    starts_at: datetime
    capacity: int
    cancelled: bool


class DrawnRequest(BaseModel):
    booking_id: UUID
    school: str
    group: str
    district: str | None
    pupils: int
    adults: int
    choices: list[UUID]
    requested_at: datetime
    outcome: Outcome
    occurrence_id: UUID | None = None
    choice: int | None = None
    """Which of the group's choices it got, 1 for the first."""
    rank: int | None = None
    position: int | None = None
    reason: str | None = None
    adjusted: Change | None = None
    """Set when lifting the worst-off schools after the draw moved, displaced or seated it."""
    drawn_choice: int | None = None
    """Moved or displaced: which of its choices the draw had first given it."""


class DrawAudit(BaseModel):
    event_id: UUID
    title: dict[str, str]
    policy: BookingPolicy
    seed: int
    drawn_at: datetime
    occurrences: list[DrawnOccurrence]
    requests: list[DrawnRequest]
    """In the order the draw served them: ranked first, then those it turned away."""
    inputs: dict[str, Any]
    """Everything the draw saw, as it saw it: with the seed, enough to draw it again."""
    decisions: list[dict[str, Any]]


def _state(drawn_at: datetime | None, closes_at: datetime | None, now: datetime) -> DrawState:
    if drawn_at is not None:
        return DrawState.DRAWN
    return DrawState.DUE if closes_at is not None and closes_at <= now else DrawState.OPEN


async def draw_summaries(
    session: AsyncSession, municipality_id: str, limit: int, offset: int, now: datetime
) -> list[DrawSummary]:
    requests = (
        select(func.count())
        .where(seat_request.c.event_id == allocation_event.c.event_id)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(
            allocation_event.c.event_id,
            allocation_event.c.policy,
            allocation_event.c.drawn_at,
            catalog.event.c.title,
            catalog.event.c.booking_closes_at,
            requests.label("requests"),
        )
        .join(catalog.event, catalog.event.c.event_id == allocation_event.c.event_id)
        .where(
            allocation_event.c.municipality_id == municipality_id,
            allocation_event.c.policy != BookingPolicy.INSTANT.value,
        )
        .order_by(
            catalog.event.c.booking_closes_at.desc().nulls_last(), allocation_event.c.event_id
        )
        .limit(limit)
        .offset(offset)
    )
    return [
        DrawSummary(
            event_id=row.event_id,
            title=row.title,
            policy=BookingPolicy(row.policy),
            booking_closes_at=row.booking_closes_at,
            drawn_at=row.drawn_at,
            requests=row.requests,
            state=_state(row.drawn_at, row.booking_closes_at, now),
        )
        for row in rows
    ]


def _served_order(request: DrawnRequest) -> tuple[int, int, int]:
    kind = {Outcome.ALLOCATED: 0, Outcome.WAITLISTED: 0, Outcome.REJECTED: 1}[request.outcome]
    return (kind, request.rank or 0, request.position or 0)


def _drawn_request(
    asked: dict[str, Any], decided: dict[str, Any], names: dict[str, str]
) -> DrawnRequest:
    choices = [UUID(o) for o in asked["occurrence_ids"]]
    request = DrawnRequest(
        booking_id=UUID(asked["booking_id"]),
        school=names.get(asked["unit_id"], ""),
        group=names.get(asked["group_id"], ""),
        district=asked["district"],
        pupils=asked["pupils"],
        adults=asked["adults"],
        choices=choices,
        requested_at=datetime.fromisoformat(asked["requested_at"]),
        outcome=Outcome.REJECTED,
        rank=decided.get("rank"),
        reason=decided.get("rejected"),
        adjusted=decided.get("adjusted"),
        drawn_choice=decided.get("drawn_choice"),
    )
    if "allocated" in decided:
        occurrence = UUID(decided["allocated"])
        request.outcome, request.occurrence_id = Outcome.ALLOCATED, occurrence
        request.choice = choices.index(occurrence) + 1 if occurrence in choices else None
    elif "waitlisted" in decided:
        request.outcome, request.position = Outcome.WAITLISTED, decided["waitlisted"]
    return request


async def draw_audit(
    session: AsyncSession, municipality_id: str, event_id: UUID
) -> DrawAudit | None:
    row = (
        await session.execute(
            select(draw, allocation_event.c.policy, catalog.event.c.title)
            .join(allocation_event, allocation_event.c.event_id == draw.c.event_id)
            .join(catalog.event, catalog.event.c.event_id == draw.c.event_id)
            .where(
                draw.c.event_id == event_id, allocation_event.c.municipality_id == municipality_id
            )
        )
    ).first()
    if row is None:
        return None
    asked = row.inputs["requests"]
    ids = {UUID(r["unit_id"]) for r in asked} | {UUID(r["group_id"]) for r in asked}
    names = {
        str(found.id): found.name
        for table, key in ((directory.unit, "unit_id"), (directory.group, "group_id"))
        for found in await session.execute(
            select(table.c[key].label("id"), table.c.name).where(table.c[key].in_(ids))
        )
    }
    decided = {d["booking_id"]: d for d in row.decisions}
    requests = [_drawn_request(r, decided.get(r["booking_id"], {}), names) for r in asked]
    return DrawAudit(
        event_id=event_id,
        title=row.title,
        policy=BookingPolicy(row.policy),
        seed=row.seed,
        drawn_at=row.drawn_at.astimezone(UTC),
        occurrences=[DrawnOccurrence.model_validate(o) for o in row.inputs["occurrences"]],
        requests=sorted(requests, key=_served_order),
        inputs=row.inputs,
        decisions=row.decisions,
    )
