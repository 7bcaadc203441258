"""Organizers record who came to each booked visit (a no-show counts in the statistics); the
culture office may correct it. Each record is told as AttendanceRecorded."""

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, HTTPException
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from booking.attendance import check_attendance
from booking.db import AttendanceRecord, Booking
from booking.domain import BookingRefused
from booking.evaluation_api import visit_of
from booking.evaluations import WrongAnswer
from kulturbro_contracts import limits
from kulturbro_contracts.booking import Attendance, AttendanceRecorded
from kulturbro_replicas import catalog
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow

router = APIRouter(tags=["attendance"])


class AttendanceAnswers(BaseModel):
    came: bool
    pupils_present: int | None = Field(default=None, ge=0, le=limits.MAX_PUPILS_PER_GROUP)


class AttendancePublic(AttendanceAnswers):
    booking_id: UUID
    recorded_at: datetime


async def _of_their_event(
    session: AsyncSession, booking: Booking | None, caller: MunicipalCallerDep, booking_id: UUID
) -> Booking:
    """The booking, if it is for one of the caller's events (any of the office's)."""
    organizer = None
    if booking is not None and booking.municipality_id == caller.municipality_id:
        organizer = await session.scalar(
            select(catalog.event.c.organizer_id).where(catalog.event.c.event_id == booking.event_id)
        )
    if (
        booking is None
        or organizer is None
        or (caller.role == Role.ORGANIZER and str(organizer) != caller.organizer_id)
    ):
        raise HTTPException(404, f"no booking {booking_id} for one of your events")
    return booking


@router.put(
    "/bookings/{booking_id}/attendance",
    response_model=AttendancePublic,
    **allow(Role.ORGANIZER, Role.ADMINISTRATOR),
)
async def record_attendance(
    booking_id: UUID, body: AttendanceAnswers, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> AttendancePublic:
    """Record whether the group came and how many pupils, once the visit has begun."""
    now = datetime.now(UTC)
    async with runtime.unit_of_work() as uow:
        found = await uow.session.get(Booking, booking_id)
        booking = await _of_their_event(uow.session, found, caller, booking_id)
        visit = await visit_of(uow.session, booking)
        try:
            check_attendance(visit, body.came, body.pupils_present, now)
        except WrongAnswer as wrong:
            problem = {"loc": ("body", wrong.field), "msg": wrong.message, "type": "value_error"}
            raise RequestValidationError([problem]) from wrong
        except BookingRefused as refusal:
            raise HTTPException(refusal.status, refusal.reason) from refusal
        assert booking.occurrence_id is not None  # only a seated visit gets this far
        record = await uow.session.get(AttendanceRecord, booking.id, with_for_update=True)
        if record is None:
            record = AttendanceRecord(
                booking_id=booking.id,
                municipality_id=booking.municipality_id,
                event_id=booking.event_id,
                came=body.came,
                recorded_at=now,
            )
            uow.session.add(record)
        record.came, record.pupils_present, record.recorded_at = (
            body.came,
            body.pupils_present if body.came else None,
            now,
        )
        await uow.publish(
            AttendanceRecorded(
                municipality_id=booking.municipality_id,
                payload=Attendance(
                    booking_id=booking.id,
                    event_id=booking.event_id,
                    occurrence_id=booking.occurrence_id,
                    group_id=booking.group_id,
                    unit_id=booking.unit_id,
                    came=record.came,
                    pupils_present=record.pupils_present,
                    recorded_at=now,
                ),
            )
        )
        return AttendancePublic(
            booking_id=booking.id,
            came=record.came,
            pupils_present=record.pupils_present,
            recorded_at=now,
        )
