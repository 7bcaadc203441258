"""The directory's HTTP API: a municipality's units."""

from fastapi import APIRouter
from sqlmodel import col, select

from directory.db import Unit, UnitCreate, UnitPublic
from kulturbro_contracts import SchoolRegistered
from kulturbro_contracts.directory import School
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, require_role

router = APIRouter(tags=["units"])


@router.post("/schools", status_code=201, response_model=UnitPublic)
async def register_school(
    body: UnitCreate, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> Unit:
    require_role(caller, Role.ADMINISTRATOR, Role.OPERATOR)
    unit = Unit.model_validate(body, update={"municipality_id": caller.municipality_id})
    async with runtime.unit_of_work() as uow:
        uow.session.add(unit)
        await uow.publish(
            SchoolRegistered(
                municipality_id=unit.municipality_id,
                payload=School(unit_id=unit.id, **body.model_dump()),
            )
        )
    return unit


@router.get("/schools", response_model=list[UnitPublic])
async def list_schools(caller: MunicipalCallerDep, runtime: RuntimeDep) -> list[Unit]:
    async with runtime.database.sessions() as session:
        found = await session.exec(
            select(Unit)
            .where(Unit.municipality_id == caller.municipality_id)
            .order_by(col(Unit.name))
        )
        return list(found)
