"""How many units the directory has told of, per district: the first figure stats kept."""

from collections import Counter

from fastapi import APIRouter
from pydantic import BaseModel

from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow
from stats.reading import StatsReader

router = APIRouter(tags=["reach"])


class UnitSummary(BaseModel):
    units: int
    by_district: dict[str, int]


@router.get("/units/summary", response_model=UnitSummary, **allow(Role.ADMINISTRATOR, Role.ANALYST))
async def unit_summary(caller: MunicipalCallerDep, runtime: RuntimeDep) -> UnitSummary:
    assert caller.municipality_id is not None
    async with runtime.database.sessions() as session:
        facts = await StatsReader(session).facts(caller.municipality_id)
    districts = Counter(school.district or "unknown" for school in facts.schools)
    return UnitSummary(units=len(facts.schools), by_district=dict(sorted(districts.items())))
