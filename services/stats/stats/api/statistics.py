"""Figures for a municipality's culture office: reach, use and equity per school year and term,
per school, district, target group, event or organizer; as JSON, CSV or XLSX."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from kulturbro_contracts.booking import Question
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow
from stats.api.common import Now, SchoolYearPath, figures_columns, figures_json, known_year
from stats.api.downloads import Format, csv_response, xlsx_response
from stats.domain.figures import Dimension, Municipality, Period
from stats.domain.periods import Term
from stats.reading import StatsReader

router = APIRouter(tags=["statistics"])
READERS = allow(Role.ADMINISTRATOR, Role.ANALYST)


@router.get("/statistics", **READERS)
async def school_years(caller: MunicipalCallerDep, runtime: RuntimeDep) -> dict[str, Any]:
    """The school years there are figures for, and how fresh they are."""
    async with runtime.database.sessions() as session:
        reader = StatsReader(session)
        years = await reader.school_years(caller.municipality_id)
        fresh = await reader.fresh_as_of(caller.municipality_id)
    return {"school_years": years, "fresh_as_of": fresh, "dimensions": list(Dimension)}


@router.get("/statistics/{school_year}", **READERS)
async def statistics(
    caller: MunicipalCallerDep,
    runtime: RuntimeDep,
    now: Now,
    school_year: SchoolYearPath,
    term: Annotated[
        Term | None, Query(description="autumn or spring; the whole year if none")
    ] = None,
    by: Annotated[Dimension, Query(description="what each row is")] = Dimension.SCHOOL,
    format: Format = Format.JSON,
) -> Any:
    """The municipality's figures for a school year (or one of its terms): the whole, one row per
    school, district, target group, event or organizer, and the schools with no visit yet."""
    assert caller.municipality_id is not None
    async with runtime.database.sessions() as session:
        reader = StatsReader(session)
        known_year(school_year, await reader.school_years(caller.municipality_id))
        facts = await reader.facts(caller.municipality_id)
        fresh = await reader.fresh_as_of(caller.municipality_id)
    municipality = Municipality(facts, Period(school_year, term), now)
    whole, rows = municipality.whole(), municipality.rows(by)
    if format is not Format.JSON:
        return _download(format, whole, rows, by, f"kulturbro-{school_year}-{term or 'year'}-{by}")
    return {
        "municipality_id": caller.municipality_id,
        "school_year": school_year,
        "term": term,
        "fresh_as_of": fresh,
        "total": figures_json(whole),
        "by": by,
        "rows": [{"key": r.key, "label": r.label, **figures_json(r.figures)} for r in rows],
        "schools_without_visit": municipality.schools_without_visit(),
    }


def _download(format: Format, whole: Any, rows: list[Any], by: Dimension, name: str) -> Response:
    columns = figures_columns(whole)
    header = [by.value, "label", *columns, *(f"score_{q}" for q in Question)]

    def line(key: str, label: str, figures: Any) -> list[Any]:
        shown = figures_json(figures)
        scores = [shown["scores"].get(q.value) for q in Question]
        return [key, label, *(shown[c] for c in columns), *scores]

    table = [line(r.key, r.label, r.figures) for r in rows] + [line("total", "", whole)]
    if format is Format.CSV:
        return csv_response((header, table), name)
    return xlsx_response({"statistics": (header, table)}, name)
