"""Teachers evaluate their visits: what is asked, what was given, and a correction for 14 days.
Each one given or corrected is told as EvaluationSubmitted."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from booking.db import Booking, EvaluationRecord, Status
from booking.domain import BookingRefused
from booking.evaluations import (
    CORRECTABLE_FOR,
    MAX_COMMENT,
    Answers,
    Visit,
    WrongAnswer,
    check_answers,
    check_time,
    questions,
)
from kulturbro_contracts import limits
from kulturbro_contracts.booking import Evaluation, EvaluationSubmitted, Question
from kulturbro_replicas import catalog
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow

router = APIRouter(tags=["evaluations"])

Score = Annotated[int, Field(ge=1, le=5)]


class EvaluationAnswers(BaseModel):
    came: bool
    pupils_present: int | None = Field(default=None, ge=0, le=limits.MAX_PUPILS_PER_GROUP)
    scores: dict[Question, Score] = Field(default_factory=dict, max_length=len(Question))
    comment: str = Field(default="", max_length=MAX_COMMENT)


class EvaluationPublic(BaseModel):
    booking_id: UUID
    event_id: UUID
    questions: list[Question]
    opens_at: datetime | None
    """When the visit ends and it can be evaluated; None when there was no visit."""
    correctable_until: datetime | None
    given: EvaluationAnswers | None


async def visit_of(session: AsyncSession, booking: Booking) -> Visit:
    """The booking as an evaluation or attendance sees it, with its occurrence's times."""
    occurrence = None
    if booking.occurrence_id is not None:
        o = catalog.occurrence.c
        occurrence = (
            await session.execute(
                select(o.starts_at, o.ends_at, o.cancelled).where(
                    o.occurrence_id == booking.occurrence_id
                )
            )
        ).first()
    seated = occurrence if occurrence and booking.status is Status.CONFIRMED else None
    return Visit(
        status=booking.status,
        ends_at=seated.ends_at if seated else None,
        occurrence_cancelled=bool(occurrence and occurrence.cancelled),
        wants_bus=booking.wants_bus,
        starts_at=seated.starts_at if seated else None,
    )


def _teachers(booking: Booking | None, caller: MunicipalCallerDep, booking_id: UUID) -> Booking:
    if booking is None or str(booking.teacher_id) != caller.subject:
        raise HTTPException(404, f"you have no booking {booking_id}")
    return booking


def _public(booking: Booking, visit: Visit, record: EvaluationRecord | None) -> EvaluationPublic:
    given = None
    if record is not None:
        given = EvaluationAnswers(
            came=record.came, pupils_present=record.pupils_present,
            scores={Question(q): s for q, s in record.scores.items()}, comment=record.comment,
        )  # fmt: skip
    return EvaluationPublic(
        booking_id=booking.id,
        event_id=booking.event_id,
        questions=questions(visit),
        opens_at=visit.ends_at if not visit.occurrence_cancelled else None,
        correctable_until=record.first_given_at + CORRECTABLE_FOR if record else None,
        given=given,
    )


@router.get(
    "/bookings/{booking_id}/evaluation", response_model=EvaluationPublic, **allow(Role.TEACHER)
)
async def evaluation(
    booking_id: UUID, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> EvaluationPublic:
    """What the teacher is asked about the visit, from when, and what she answered."""
    async with runtime.database.sessions() as session:
        booking = _teachers(await session.get(Booking, booking_id), caller, booking_id)
        record = await session.get(EvaluationRecord, booking_id)
        return _public(booking, await visit_of(session, booking), record)


@router.put(
    "/bookings/{booking_id}/evaluation", response_model=EvaluationPublic, **allow(Role.TEACHER)
)
async def evaluate(
    booking_id: UUID, body: EvaluationAnswers, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> EvaluationPublic:
    """Evaluate the visit once it has ended, or correct the evaluation within 14 days."""
    now = datetime.now(UTC)
    async with runtime.unit_of_work() as uow:
        booking = _teachers(await uow.session.get(Booking, booking_id), caller, booking_id)
        record = await uow.session.get(EvaluationRecord, booking_id, with_for_update=True)
        visit = await visit_of(uow.session, booking)
        answers = Answers(body.came, body.pupils_present, dict(body.scores), body.comment)
        try:
            check_time(visit, record.first_given_at if record else None, now)
            check_answers(visit, answers)
        except WrongAnswer as wrong:
            loc = ("body", *wrong.field.split("."))
            problem = {"loc": loc, "msg": wrong.message, "type": "value_error"}
            raise RequestValidationError([problem]) from wrong
        except BookingRefused as refusal:
            raise HTTPException(refusal.status, refusal.reason) from refusal
        assert booking.occurrence_id is not None  # check_time lets only a seated visit through
        if record is None:
            record = EvaluationRecord(
                booking_id=booking.id, municipality_id=booking.municipality_id,
                event_id=booking.event_id, occurrence_id=booking.occurrence_id,
                group_id=booking.group_id, unit_id=booking.unit_id, came=body.came,
                revision=0, first_given_at=now, given_at=now,
            )  # fmt: skip
            uow.session.add(record)
        record.came, record.pupils_present = body.came, body.pupils_present
        record.scores = {q.value: s for q, s in body.scores.items()}
        record.comment, record.revision, record.given_at = body.comment, record.revision + 1, now
        await uow.publish(
            EvaluationSubmitted(
                municipality_id=booking.municipality_id,
                payload=Evaluation(
                    booking_id=booking.id, event_id=booking.event_id,
                    occurrence_id=booking.occurrence_id, group_id=booking.group_id,
                    unit_id=booking.unit_id, came=body.came, pupils_present=body.pupils_present,
                    scores=dict(body.scores), comment=body.comment, revision=record.revision,
                    submitted_at=now,
                ),
            )
        )  # fmt: skip
        return _public(booking, visit, record)
