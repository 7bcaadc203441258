"""What the booking service holds about the teacher asking: her bookings and her evaluations."""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import col, select

from booking.api import BookingPublic, teacher_id_of
from booking.db import Booking, EvaluationRecord
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow

router = APIRouter(tags=["my data"])


class MyEvaluation(BaseModel):
    booking_id: UUID
    came: bool
    pupils_present: int | None
    scores: dict[str, int]
    comment: str
    first_given_at: datetime
    given_at: datetime


class MyBookingData(BaseModel):
    bookings: list[BookingPublic]
    evaluations: list[MyEvaluation]


@router.get("/me/data", response_model=MyBookingData, **allow(Role.TEACHER))
async def my_data(caller: MunicipalCallerDep, runtime: RuntimeDep) -> MyBookingData:
    mine = (
        Booking.teacher_id == teacher_id_of(caller),
        Booking.municipality_id == caller.municipality_id,
    )
    async with runtime.database.sessions() as session:
        bookings = list(
            await session.exec(select(Booking).where(*mine).order_by(col(Booking.requested_at)))
        )
        evaluations = list(
            await session.exec(
                select(EvaluationRecord)
                .join(Booking, col(Booking.id) == col(EvaluationRecord.booking_id))
                .where(*mine)
                .order_by(col(EvaluationRecord.first_given_at))
            )
        )
    return MyBookingData(
        bookings=[BookingPublic.model_validate(b, from_attributes=True) for b in bookings],
        evaluations=[MyEvaluation.model_validate(e, from_attributes=True) for e in evaluations],
    )
