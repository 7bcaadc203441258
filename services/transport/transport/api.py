"""Transport's HTTP API: the municipality's bus rules, each day's plan, and a booking's bus."""

from datetime import UTC, date, datetime
from uuid import UUID

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from kulturbro_contracts.transport import BusTrip, NoBusReason
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow
from kulturbro_runtime.errors import problem
from transport.handlers import MoveRefused, move_to_bus
from transport.plans import DayPlanPublic
from transport.records import MAX_BUS_NAME, BookingStatus, RuleSettings
from transport.repositories import SqlBookings, SqlDirectory, SqlRules, SqlWork
from transport.run_sheets import run_sheet_state

router = APIRouter(tags=["transport"])


class BookingBus(BaseModel):
    """A booking's bus as its teacher sees it: the trip, or why there is none, or neither yet."""

    booking_id: UUID
    trip: BusTrip | None
    reason: NoBusReason | None


@router.get("/rules", response_model=RuleSettings, **allow(Role.ADMINISTRATOR))
async def rules(caller: MunicipalCallerDep, runtime: RuntimeDep) -> RuleSettings:
    async with runtime.database.sessions() as session:
        return await SqlRules(session).get(str(caller.municipality_id))


@router.put("/rules", response_model=RuleSettings, **allow(Role.ADMINISTRATOR))
async def set_rules(
    settings: RuleSettings, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> RuleSettings:
    """The rules apply from the next plan of each day; days planned already keep theirs."""
    async with runtime.unit_of_work() as uow:
        fleet = await SqlDirectory(uow.session).fleet(str(caller.municipality_id))
        if (wrong := settings.unknown_buses(fleet)) is not None:
            raise HTTPException(422, wrong)
        await SqlRules(uow.session).save(str(caller.municipality_id), settings)
    return settings


@router.get("/plans/{day}", response_model=DayPlanPublic, **allow(Role.ADMINISTRATOR))
async def day_plan(day: date, caller: MunicipalCallerDep, runtime: RuntimeDep) -> DayPlanPublic:
    """With the operator's run sheet of the day: when it goes out, what was sent, or why not."""
    municipality_id = str(caller.municipality_id)
    async with runtime.unit_of_work() as uow:
        work = SqlWork(uow)
        plan = await work.plans.get(municipality_id, day)
        if plan is None:
            raise HTTPException(404, f"no bus is planned on {day}: no booking that day wants one")
        plan.run_sheet = await run_sheet_state(work, municipality_id, day)
        for unserved in plan.unserved:
            booking = await work.bookings.get(unserved.booking_id)
            if booking and booking.told and booking.told.reason is unserved.reason:
                unserved.what_to_fix = booking.told.what_to_fix
                unserved.fixes = booking.told.fixes
    return plan


class BusChoice(BaseModel):
    """The bus a class is to go on, both ways, as the fleet names it."""

    bus: str = Field(min_length=1, max_length=MAX_BUS_NAME)


@router.put(
    "/plans/{day}/bookings/{booking_id}/bus",
    response_model=DayPlanPublic,
    responses={409: {"description": "the move breaks a rule: which, and the buses that fit"}},
    **allow(Role.ADMINISTRATOR),
)
async def move_class_to_bus(
    day: date, booking_id: UUID, choice: BusChoice, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> DayPlanPublic | JSONResponse:
    """Puts the class on the bus, both ways, re-timing the buses it leaves and joins; refused
    (409) with the rule it would break and the buses that could take it. Later plans of the day
    keep it there while that keeps every rule."""
    try:
        async with runtime.unit_of_work() as uow:
            return await move_to_bus(
                SqlWork(uow),
                str(caller.municipality_id),
                day,
                booking_id,
                choice.bus,
                by=caller.subject,
                now=datetime.now(UTC),
            )
    except MoveRefused as refused:
        found = refused.refusal
        return problem(
            refused.status,
            str(refused),
            broken_rules=list(dict.fromkeys(v.rule.value for v in found.broken)) if found else [],
            reason=found.reason.value if found and found.reason else None,
            fits_on=list(found.fits_on) if found else [],
        )


@router.get(
    "/bookings/{booking_id}/bus",
    response_model=BookingBus,
    **allow(Role.TEACHER, Role.ADMINISTRATOR),
)
async def booking_bus(
    booking_id: UUID, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> BookingBus:
    async with runtime.database.sessions() as session:
        booking = await SqlBookings(session).get(booking_id, lock=False)
    mine = booking is not None and (
        caller.role is Role.ADMINISTRATOR or str(booking.teacher_id) == caller.subject
    )
    if booking is None or not mine or booking.municipality_id != caller.municipality_id:
        raise HTTPException(404, f"no booking {booking_id} of yours wants a bus")
    if not booking.wants_bus or booking.status is BookingStatus.CANCELLED:
        raise HTTPException(404, f"booking {booking_id} has no bus: it did not ask for one")
    told = booking.told
    return BookingBus(
        booking_id=booking_id,
        trip=told.trip if told else None,
        reason=told.reason if told else None,
    )


ROUTERS = (router,)
