"""Municipalities over HTTP: an operator registers them, their administrators keep them."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel

from directory import municipalities
from directory.municipalities import (
    MunicipalityChange,
    MunicipalityCreate,
    MunicipalityExists,
    MunicipalityPublic,
    UnknownMunicipality,
)
from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow, public

router = APIRouter(tags=["municipalities"])


@router.post(
    "/municipalities",
    status_code=201,
    response_model=MunicipalityPublic,
    **allow(Role.OPERATOR, municipal=False),
)
async def register_municipality(
    body: MunicipalityCreate, runtime: RuntimeDep
) -> MunicipalityPublic:
    """Register a municipality; an operator's sign-in belongs to no municipality, so the id is
    given here, the one place it is."""
    try:
        async with runtime.unit_of_work() as uow:
            return await municipalities.register(uow, body)
    except MunicipalityExists as error:
        raise HTTPException(409, f"{error}; change it with PATCH /municipality") from error


@router.get(
    "/municipality",
    response_model=MunicipalityPublic,
    **allow(Role.ADMINISTRATOR, Role.TEACHER, Role.ANALYST, Role.ORGANIZER),
)
async def own_municipality(caller: MunicipalCallerDep, runtime: RuntimeDep) -> MunicipalityPublic:
    try:
        async with runtime.database.sessions() as session:
            return await municipalities.find(session, str(caller.municipality_id))
    except UnknownMunicipality as error:
        raise HTTPException(404, str(error)) from error


@router.patch("/municipality", response_model=MunicipalityPublic, **allow(Role.ADMINISTRATOR))
async def change_municipality(
    body: MunicipalityChange, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> MunicipalityPublic:
    try:
        async with runtime.unit_of_work() as uow:
            return await municipalities.change(uow, str(caller.municipality_id), body)
    except UnknownMunicipality as error:
        raise HTTPException(404, str(error)) from error


class MunicipalityForAnyone(BaseModel):
    """What any visitor of a municipality's public pages may know of it."""

    id: str
    name: str
    languages: list[Language]
    time_zone: str
    districts: list[str]


@router.get(
    "/public/municipalities/{municipality_id}",
    response_model=MunicipalityForAnyone,
    **public(),
)
async def municipality_for_anyone(
    municipality_id: Annotated[str, Path(min_length=1, max_length=64)], runtime: RuntimeDep
) -> MunicipalityForAnyone:
    """A municipality's name, languages, time zone and districts, for its public pages."""
    try:
        async with runtime.database.sessions() as session:
            found = await municipalities.find(session, municipality_id)
    except UnknownMunicipality as error:
        raise HTTPException(404, str(error)) from error
    return MunicipalityForAnyone.model_validate(found.model_dump())
