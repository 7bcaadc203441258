"""The allocation's HTTP API: each decision explained, draws open to audit, fairness measured."""

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy import select

from allocation.audits import DrawAudit, DrawSummary, draw_audit, draw_summaries
from allocation.db import allocation_event, seat_request
from allocation.domain import Allocation, Occurrence, fairness_figures
from allocation.draws import run_draw
from allocation.ledger import open_ledger, term_start
from kulturbro_contracts import limits
from kulturbro_contracts.vocabulary import BookingPolicy, Language
from kulturbro_replicas import catalog, directory
from kulturbro_runtime import Caller, MunicipalCallerDep, Role, RuntimeDep, allow

router = APIRouter(tags=["allocation"])


class DecisionPublic(BaseModel):
    booking_id: UUID
    status: str
    occurrence_id: UUID | None
    waitlist_position: int | None
    rank: int | None
    rank_of: int | None
    reason: str | None
    explanation: dict[str, str]


class Figures(BaseModel):
    events: int
    schools: int
    gini: float
    lowest_seats_per_pupil: float
    schools_reached: float
    groups_reached: float
    capacity_used: float
    seats_per_pupil: dict[UUID, float]


@router.get(
    "/bookings/{booking_id}/decision",
    response_model=DecisionPublic,
    **allow(Role.TEACHER, Role.ADMINISTRATOR),
)
async def decision(
    booking_id: UUID,
    caller: MunicipalCallerDep,
    runtime: RuntimeDep,
    language: Annotated[
        Language | None, Query(description="only this language's explanation")
    ] = None,
) -> DecisionPublic:
    async with runtime.database.sessions() as session:
        row = (
            (
                await session.execute(
                    select(seat_request).where(
                        seat_request.c.booking_id == booking_id,
                        seat_request.c.municipality_id == caller.municipality_id,
                    )
                )
            )
            .mappings()
            .first()
        )
    if row is None or (caller.role == Role.TEACHER and str(row["teacher_id"]) != caller.subject):
        raise HTTPException(404, f"no booking {booking_id} of yours has been decided")
    explanation = row["explanation"]
    if language is not None:
        explanation = {language.value: explanation.get(language.value, "")}
    return DecisionPublic(
        booking_id=booking_id,
        status=row["status"],
        occurrence_id=row["occurrence_id"],
        waitlist_position=row["position"],
        rank=row["rank"],
        rank_of=row["rank_of"],
        reason=row["reason"],
        explanation=explanation,
    )


async def _own_event(runtime: RuntimeDep, caller: Caller, event_id: UUID) -> dict[str, Any]:
    async with runtime.database.sessions() as session:
        row = (
            (
                await session.execute(
                    select(allocation_event).where(
                        allocation_event.c.event_id == event_id,
                        allocation_event.c.municipality_id == caller.municipality_id,
                    )
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise HTTPException(404, f"no event {event_id} in your municipality")
    return dict(row)


@router.get("/draws", response_model=list[DrawSummary], **allow(Role.ADMINISTRATOR))
async def draws(
    caller: MunicipalCallerDep,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=limits.MAX_OFFSET)] = 0,
) -> list[DrawSummary]:
    """Your municipality's events that a draw decides, the latest request window first."""
    assert caller.municipality_id is not None, "MunicipalCallerDep lets no caller without one in"
    async with runtime.database.sessions() as session:
        return await draw_summaries(
            session, caller.municipality_id, limit, offset, datetime.now(UTC)
        )


@router.get("/events/{event_id}/draw", response_model=DrawAudit, **allow(Role.ADMINISTRATOR))
async def audit_draw(event_id: UUID, caller: MunicipalCallerDep, runtime: RuntimeDep) -> DrawAudit:
    """The seed, the inputs and the outcome of the event's draw, so anyone can draw it again."""
    await _own_event(runtime, caller, event_id)
    assert caller.municipality_id is not None, "MunicipalCallerDep lets no caller without one in"
    async with runtime.database.sessions() as session:
        audit = await draw_audit(session, caller.municipality_id, event_id)
    if audit is None:
        raise HTTPException(404, "this event has not been drawn (yet)")
    return audit


@router.post("/events/{event_id}/draw", **allow(Role.ADMINISTRATOR))
async def draw_now(
    event_id: UUID, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> dict[str, int]:
    """Draw an event whose request window has closed, without waiting for the scheduled draw."""
    event = await _own_event(runtime, caller, event_id)
    if event["policy"] == BookingPolicy.INSTANT.value:
        raise HTTPException(409, "this event confirms bookings as they come; it has no draw")
    async with runtime.unit_of_work() as uow:
        closes = await uow.session.scalar(
            select(catalog.event.c.booking_closes_at).where(catalog.event.c.event_id == event_id)
        )
        if closes is None or closes > datetime.now(UTC):
            raise HTTPException(409, "the request window is still open; draw after it closes")
        ledger = await open_ledger(uow, event_id)
        if ledger is None or ledger.drawn:
            raise HTTPException(409, "this event has been drawn already")
        return {"decided": await run_draw(uow, ledger)}


@router.get("/fairness", response_model=Figures, **allow(Role.ADMINISTRATOR, Role.ANALYST))
async def fairness(
    caller: MunicipalCallerDep, runtime: RuntimeDep, event_id: UUID | None = None
) -> Figures:
    """Seats per pupil per school and how evenly they fall, this term (or for one event)."""
    since = term_start(datetime.now(UTC))
    async with runtime.database.sessions() as session:
        events = select(allocation_event.c.event_id).where(
            allocation_event.c.municipality_id == caller.municipality_id
        )
        if event_id is not None:
            events = events.where(allocation_event.c.event_id == event_id)
        occurrences = [
            Occurrence(o.occurrence_id, o.event_id, o.capacity, o.starts_at, o.cancelled)
            for o in await session.execute(
                select(catalog.occurrence).where(
                    catalog.occurrence.c.event_id.in_(events),
                    catalog.occurrence.c.starts_at >= since,
                )
            )
        ]
        confirmed = [
            Allocation(
                r.booking_id,
                r.event_id,
                r.occurrence_id,
                r.group_id,
                r.unit_id,
                r.pupils + r.adults,
                r.pupils,
            )
            for r in await session.execute(
                select(seat_request).where(
                    seat_request.c.event_id.in_(events), seat_request.c.status == "confirmed"
                )
            )
        ]
        groups = (
            await session.execute(
                select(
                    directory.group.c.group_id, directory.group.c.unit_id, directory.group.c.size
                ).where(directory.group.c.municipality_id == caller.municipality_id)
            )
        ).all()
    pupils: dict[UUID, int] = {}
    for group in groups:
        pupils[group.unit_id] = pupils.get(group.unit_id, 0) + group.size
    figures = fairness_figures(confirmed, occurrences, pupils, [g.group_id for g in groups])
    return Figures(
        events=len({o.event_id for o in occurrences}),
        schools=len(pupils),
        gini=figures.gini,
        lowest_seats_per_pupil=figures.lowest_seats_per_pupil,
        schools_reached=figures.schools_reached.ratio,
        groups_reached=figures.groups_reached.ratio,
        capacity_used=figures.capacity_used.ratio,
        seats_per_pupil=dict(figures.seats_per_pupil),
    )
