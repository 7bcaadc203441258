"""The statistics service's HTTP API."""

from collections import Counter

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import select

from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow
from stats.db import KnownUnit

router = APIRouter(tags=["reach"])


class UnitSummary(BaseModel):
    units: int
    by_district: dict[str, int]


@router.get("/units/summary", response_model=UnitSummary, **allow(Role.ADMINISTRATOR, Role.ANALYST))
async def unit_summary(caller: MunicipalCallerDep, runtime: RuntimeDep) -> UnitSummary:
    async with runtime.database.sessions() as session:
        units = list(
            await session.exec(
                select(KnownUnit).where(KnownUnit.municipality_id == caller.municipality_id)
            )
        )
    districts = Counter(unit.district or "unknown" for unit in units)
    return UnitSummary(units=len(units), by_district=dict(sorted(districts.items())))
