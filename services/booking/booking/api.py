"""The booking service's HTTP API: teachers request and cancel; everyone sees what concerns them."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Header, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from booking import requests
from booking.db import ACTIVE, AttendanceRecord, Booking, Status
from booking.domain import (
    BookingRefused,
    OutsideBookingWindow,
    Request,
    Rules,
    Slot,
    check_cancellation,
    check_request,
    explain_cancellation,
)
from kulturbro_contracts import BookingCancelled, BookingRequested, limits
from kulturbro_contracts.booking import BookingCancellation, BookingRequest
from kulturbro_contracts.vocabulary import Language
from kulturbro_replicas import catalog, directory
from kulturbro_replicas.municipalities import locale_of
from kulturbro_runtime import Caller, MunicipalCallerDep, Role, RuntimeDep, allow
from kulturbro_runtime.localization import preferred_language

router = APIRouter(tags=["bookings"])


class BookingCreate(BaseModel):
    group_id: UUID
    event_id: UUID
    occurrence_ids: list[UUID] = Field(min_length=1, max_length=20, description="best first")
    pupils: int = Field(ge=1, le=limits.MAX_PUPILS_PER_GROUP)
    adults: int = Field(ge=0, le=limits.MAX_ADULTS_PER_GROUP)
    wheelchair_places: int = Field(default=0, ge=0, le=limits.MAX_WHEELCHAIR_PLACES_PER_GROUP)
    wants_bus: bool = False
    note: str = Field(default="", max_length=2000)


class BookingPublic(BaseModel):
    id: UUID
    event_id: UUID
    group_id: UUID
    occurrence_ids: list[str]
    pupils: int
    adults: int
    wheelchair_places: int
    wants_bus: bool
    note: str
    status: Status
    occurrence_id: UUID | None
    waitlist_position: int | None
    explanation: dict[str, str]
    requested_at: datetime


class Participant(BaseModel):
    booking_id: UUID
    group_name: str
    unit_name: str | None
    pupils: int
    adults: int
    wheelchair_places: int
    wants_bus: bool
    note: str
    came: bool | None = None
    """As the organizer recorded it once the visit began; None until then."""
    pupils_present: int | None = None


def _refused(refusal: BookingRefused) -> HTTPException:
    return HTTPException(refusal.status, refusal.reason)


async def _rules_and_slots(
    session: AsyncSession, event_id: UUID, municipality_id: str
) -> tuple[Rules, dict[UUID, Slot]]:
    row = (
        (
            await session.execute(
                core_select(catalog.event).where(
                    catalog.event.c.event_id == event_id,
                    catalog.event.c.municipality_id == municipality_id,
                )
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise HTTPException(404, f"no published event {event_id} in your municipality")
    rules = requests.rules_of(row)
    found = await session.execute(
        core_select(catalog.occurrence).where(catalog.occurrence.c.event_id == event_id)
    )
    slots = {
        o["occurrence_id"]: Slot(o["occurrence_id"], o["starts_at"], o["cancelled"])
        for o in found.mappings()
    }
    return rules, slots


@router.post("/bookings", status_code=202, response_model=BookingPublic, **allow(Role.TEACHER))
async def request_booking(
    body: BookingCreate,
    caller: MunicipalCallerDep,
    runtime: RuntimeDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    accept_language: Annotated[
        str | None,
        Header(
            max_length=500,
            description="sv, fi or en for refusals told in words; default: the municipality's",
        ),
    ] = None,
) -> Response:
    teacher_id = teacher_id_of(caller)
    try:
        booking = await _request(
            body,
            teacher_id,
            str(caller.municipality_id),
            runtime,
            idempotency_key,
            preferred_language(accept_language),
        )
    except IntegrityError:
        # The same retry racing the first attempt: the first one's booking is the answer.
        if idempotency_key and (earlier := await _earlier(runtime, teacher_id, idempotency_key)):
            booking = earlier
        else:
            raise
    # Serialized once, here: FastAPI would check and convert the answer again on its way out.
    return Response(booking.model_dump_json(), 202, media_type="application/json")


async def _earlier(runtime: RuntimeDep, teacher_id: UUID, key: str) -> BookingPublic | None:
    async with runtime.database.sessions() as session:
        found = await session.exec(
            select(Booking).where(Booking.teacher_id == teacher_id, Booking.idempotency_key == key)
        )
        earlier = found.first()
        return BookingPublic.model_validate(earlier, from_attributes=True) if earlier else None


async def _request(
    body: BookingCreate,
    teacher_id: UUID,
    municipality: str,
    runtime: RuntimeDep,
    idempotency_key: str | None,
    language: Language | None,
) -> BookingPublic:
    """One statement reads all the request is checked against; the booking and its event are
    written in one transaction. What can wait (the decision, the mails) follows from the event."""
    async with runtime.database.engine.begin() as connection:
        found = await requests.grounds(
            connection, teacher_id, body.group_id, body.event_id, municipality, idempotency_key
        )
        if found.earlier is not None and idempotency_key:
            earlier = await _earlier(runtime, teacher_id, idempotency_key)
            if earlier is not None:
                return earlier  # a client retry: the same answer, nothing new
        if found.group is None:
            raise HTTPException(403, f"group {body.group_id} is not one of your groups")
        if found.rules is None:
            raise HTTPException(404, f"no published event {body.event_id} in your municipality")
        group = found.group
        request = Request(
            group.target_group, group.size, body.pupils, body.adults, body.occurrence_ids
        )
        try:
            check_request(
                request, found.rules, found.slots, found.active_bookings, datetime.now(UTC)
            )
        except OutsideBookingWindow as refusal:
            locale = await locale_of(connection, municipality)
            said = refusal.said(language or locale.language or Language.EN, locale.time_zone)
            raise HTTPException(refusal.status, said) from refusal
        except BookingRefused as refusal:
            raise _refused(refusal) from refusal
        # Made from values checked already: not checked again.
        booking = BookingPublic.model_construct(
            id=uuid4(),
            event_id=body.event_id,
            group_id=body.group_id,
            occurrence_ids=[str(o) for o in body.occurrence_ids],
            pupils=body.pupils,
            adults=body.adults,
            wheelchair_places=body.wheelchair_places,
            wants_bus=body.wants_bus,
            note=body.note,
            status=Status.REQUESTED,
            occurrence_id=None,
            waitlist_position=None,
            explanation={},
            requested_at=datetime.now(UTC),
        )
        requested = BookingRequested(
            municipality_id=municipality,
            payload=BookingRequest(
                booking_id=booking.id,
                event_id=booking.event_id,
                occurrence_ids=body.occurrence_ids,
                group_id=booking.group_id,
                unit_id=group.unit_id,
                teacher_id=teacher_id,
                pupils=body.pupils,
                adults=body.adults,
                wheelchair_places=body.wheelchair_places,
                wants_bus=body.wants_bus,
                note=body.note,
            ),
        )
        row = booking.model_dump() | {
            "municipality_id": municipality,
            "unit_id": group.unit_id,
            "teacher_id": teacher_id,
            "idempotency_key": idempotency_key,
        }
        await requests.record(connection, row, requested, runtime.settings.topic_prefix)
    runtime.relay.wake()
    return booking


@router.delete("/bookings/{booking_id}", response_model=BookingPublic, **allow(Role.TEACHER))
async def cancel_booking(
    booking_id: UUID, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> Booking:
    teacher_id = teacher_id_of(caller)
    async with runtime.unit_of_work() as uow:
        booking = await uow.session.get(Booking, booking_id, with_for_update=True)
        if booking is None or booking.teacher_id != teacher_id:
            raise HTTPException(404, f"you have no booking {booking_id}")
        if booking.status not in ACTIVE:
            raise HTTPException(409, f"the booking is {booking.status.value} already")
        rules, slots = await _rules_and_slots(
            uow.session, booking.event_id, booking.municipality_id
        )
        slot = slots.get(booking.occurrence_id) if booking.occurrence_id else None
        try:
            check_cancellation(
                slot.starts_at if slot else None,
                rules.cancellation_deadline_days,
                datetime.now(UTC),
            )
        except BookingRefused as refusal:
            raise _refused(refusal) from refusal
        explanation = explain_cancellation(
            held_seats=booking.status == Status.CONFIRMED,
            waiting=booking.status == Status.WAITLISTED,
        )
        booking.status = Status.CANCELLED
        booking.explanation = {language.value: said for language, said in explanation.items()}
        await uow.publish(
            BookingCancelled(
                municipality_id=booking.municipality_id,
                payload=BookingCancellation(
                    booking_id=booking.id,
                    event_id=booking.event_id,
                    cancelled_by=teacher_id,
                    explanation=explanation,
                ),
            )
        )
    return booking


@router.get("/bookings/mine", response_model=list[BookingPublic], **allow(Role.TEACHER))
async def my_bookings(caller: MunicipalCallerDep, runtime: RuntimeDep) -> list[Booking]:
    async with runtime.database.sessions() as session:
        found = await session.exec(
            select(Booking)
            .where(Booking.teacher_id == teacher_id_of(caller))
            .order_by(col(Booking.requested_at).desc())
        )
        return list(found)


@router.get(
    "/events/{event_id}/participants",
    response_model=dict[str, list[Participant]],
    **allow(Role.ORGANIZER, Role.ADMINISTRATOR),
)
async def participants(
    event_id: UUID, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> dict[str, list[Participant]]:
    """The confirmed groups of each occurrence, for the organizer of the event."""
    async with runtime.database.sessions() as session:
        event = (
            (
                await session.execute(
                    core_select(catalog.event).where(
                        catalog.event.c.event_id == event_id,
                        catalog.event.c.municipality_id == caller.municipality_id,
                    )
                )
            )
            .mappings()
            .first()
        )
        if event is None or (
            caller.role == Role.ORGANIZER and str(event["organizer_id"]) != caller.organizer_id
        ):
            raise HTTPException(404, f"you have no event {event_id}")
        rows = await session.execute(
            core_select(
                Booking,
                directory.group.c.name,
                directory.unit.c.name.label("unit_name"),
                AttendanceRecord,
            )
            .outerjoin(directory.group, directory.group.c.group_id == Booking.group_id)
            .outerjoin(directory.unit, directory.unit.c.unit_id == Booking.unit_id)
            .outerjoin(AttendanceRecord, col(AttendanceRecord.booking_id) == Booking.id)
            .where(col(Booking.event_id) == event_id, col(Booking.status) == Status.CONFIRMED)
        )
        lists: dict[str, list[Participant]] = {}
        for booking, group_name, unit_name, attendance in rows:
            lists.setdefault(str(booking.occurrence_id), []).append(
                Participant(
                    booking_id=booking.id,
                    group_name=group_name or "?",
                    unit_name=unit_name,
                    pupils=booking.pupils,
                    adults=booking.adults,
                    wheelchair_places=booking.wheelchair_places,
                    wants_bus=booking.wants_bus,
                    note=booking.note,
                    came=attendance.came if attendance else None,
                    pupils_present=attendance.pupils_present if attendance else None,
                )
            )
        return lists


def teacher_id_of(caller: Caller) -> UUID:
    try:
        return UUID(caller.subject)
    except ValueError as error:
        raise HTTPException(
            403, "your sign-in is not linked to a teacher in the directory"
        ) from error
