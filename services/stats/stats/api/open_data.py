"""Open indicators, for anyone without signing in, under a stable versioned path (/open/v1/...):
every municipality that publishes, per school year, as JSON-stat 2.0, CSV or XLSX, CC BY 4.0.

An operator sees every municipality, also those that chose not to publish. The figures are kept
per municipality and school year until one of its facts is newer (stats.open_counts, refreshed in
the background too), so the national table is recomputed only where something changed.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow, public
from kulturbro_runtime.identity import IDENTITY_HEADER, Caller, verify_identity
from kulturbro_runtime.runtime import Runtime
from stats.api.common import Now, SchoolYearPath, Unknown, known_year
from stats.api.downloads import XLSX_TYPE, csv_response, xlsx_response
from stats.api.jsonstat import TOTAL_LABEL, WITHHELD, WITHHELD_NOTE, dataset, definitions, rounded
from stats.domain.definitions import ATTRIBUTION, DEFINITIONS, LICENCE
from stats.domain.indicators import (
    Indicator,
    Table,
    indicator_table,
    slice_areas,
)
from stats.open_counts import kept_for, refresh
from stats.reading import KnownMunicipality, StatsReader

router = APIRouter(tags=["open data"])


class OpenFormat(StrEnum):
    JSON_STAT = "json-stat"
    CSV = "csv"
    XLSX = "xlsx"


FormatQuery = Annotated[
    OpenFormat, Query(description=f"json-stat (JSON-stat 2.0), csv or xlsx ({XLSX_TYPE})")
]
MunicipalityPath = Annotated[str, Path(min_length=1, max_length=64)]


def _optional_caller(request: Request) -> Caller | None:
    """Who calls, if signed in: an operator sees every municipality; anyone else as no one."""
    token = request.headers.get(IDENTITY_HEADER)
    if not token:
        return None
    try:
        return verify_identity(token, request.app.state.runtime.secret)
    except ValueError:
        return None


OptionalCaller = Annotated[Caller | None, Depends(_optional_caller)]


@router.get("/open/v1/definitions", **public())
async def indicator_definitions() -> dict[str, Any]:
    """Each indicator: its name, unit and exactly how it is computed, in sv, fi and en."""
    return {"licence": LICENCE, "withheld": {WITHHELD: WITHHELD_NOTE}, "indicators": definitions()}


@router.get("/open/v1/indicators", **public())
async def indicator_index(runtime: RuntimeDep, caller: OptionalCaller) -> dict[str, Any]:
    """The school years and municipalities there are open figures for, and where to get them."""
    async with runtime.database.sessions() as session:
        reader = StatsReader(session)
        shown = _shown(await reader.municipalities(), caller)
        years = await reader.school_years()
    return {
        "licence": LICENCE,
        "school_years": years,
        "municipalities": [{"id": m.municipality_id, "name": m.name} for m in shown],
        "formats": list(OpenFormat),
        "definitions": "/open/v1/definitions",
        "table": "/open/v1/indicators/{school_year}?format=json-stat",
    }


@router.get("/open/v1/indicators/{school_year}", **public())
async def national_indicators(
    runtime: RuntimeDep,
    caller: OptionalCaller,
    now: Now,
    school_year: SchoolYearPath,
    format: FormatQuery = OpenFormat.JSON_STAT,
) -> Any:
    """Every publishing municipality side by side, and their total, for one school year."""
    table, names, updated = await _table(runtime, caller, now, school_year)
    return _answer(table, school_year, names, updated, format, f"kulturbro-{school_year}")


@router.get("/open/v1/indicators/{school_year}/{municipality_id}", **public())
async def municipal_indicators(
    runtime: RuntimeDep,
    caller: OptionalCaller,
    now: Now,
    school_year: SchoolYearPath,
    municipality_id: MunicipalityPath,
    format: FormatQuery = OpenFormat.JSON_STAT,
) -> Any:
    """One municipality's indicators, withheld exactly as in the national table."""
    table, names, updated = await _table(runtime, caller, now, school_year)
    if municipality_id not in names:
        raise Unknown("municipality", "municipalities", municipality_id, sorted(names))
    one = slice_areas(table, [municipality_id])
    return _answer(
        one, school_year, names, updated, format, f"kulturbro-{school_year}-{municipality_id}"
    )


class Publication(BaseModel):
    publishes: bool


@router.get("/open-data/publication", **allow(Role.ADMINISTRATOR))
async def publication(caller: MunicipalCallerDep, runtime: RuntimeDep) -> Publication:
    """Whether the municipality's indicators are published openly (they are unless it chose not)."""
    assert caller.municipality_id is not None
    async with runtime.database.sessions() as session:
        known = await StatsReader(session).municipality(caller.municipality_id)
    return Publication(publishes=known.publishes_open_data if known else True)


@router.put("/open-data/publication", **allow(Role.ADMINISTRATOR))
async def choose_publication(
    choice: Publication, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> Publication:
    """Publish the municipality's open indicators, or stop (an operator still sees them)."""
    assert caller.municipality_id is not None
    async with runtime.database.sessions() as session, session.begin():
        chosen = await StatsReader(session).choose_publication(
            caller.municipality_id, choice.publishes
        )
    if not chosen:
        raise HTTPException(
            409,
            "the statistics have not heard of your municipality from the directory yet; "
            "try again in a moment",
        )
    return choice


def _shown(
    municipalities: list[KnownMunicipality], caller: Caller | None
) -> list[KnownMunicipality]:
    operator = caller is not None and caller.role is Role.OPERATOR
    return [m for m in municipalities if operator or m.publishes_open_data]


async def _table(
    runtime: Runtime, caller: Caller | None, now: datetime, school_year: str
) -> tuple[Table, dict[str, str], datetime | None]:
    async with runtime.database.sessions() as session:
        reader = StatsReader(session)
        known_year(school_year, await reader.school_years())
        shown = _shown(await reader.municipalities(), caller)
        kept = kept_for(runtime)
        ids = [m.municipality_id for m in shown]
        freshness = await refresh(reader, kept, ids, school_year, now)
    counts = {m: kept[m, school_year][1] for m in ids}
    names = {m.municipality_id: m.name for m in shown}
    updated = max((freshness[k] for k in names if k in freshness), default=None)
    return indicator_table(counts), names, updated


def _answer(
    table: Table,
    school_year: str,
    names: dict[str, str],
    updated: datetime | None,
    format: OpenFormat,
    filename: str,
) -> Any:
    if format is OpenFormat.JSON_STAT:
        # Plain JSON already: FastAPI's encoder would walk thousands of values again.
        return JSONResponse(dataset(table, school_year, names, updated))
    header = [
        *("municipality", "municipality_name", "school_year", "indicator"),
        *("value", "unit", "status", "note", "licence"),
    ]
    licence = f"{LICENCE['id']} {LICENCE['url']} ({ATTRIBUTION})"
    rows = []
    for area in table.areas:
        for indicator in Indicator:
            cell = table.cells[area, indicator]
            rows.append(
                [
                    area,
                    names.get(area, TOTAL_LABEL["en"]),
                    school_year,
                    indicator.value,
                    rounded(indicator, cell.value),
                    DEFINITIONS[indicator].unit["en"],
                    WITHHELD if cell.withheld else "",
                    WITHHELD_NOTE["en"] if cell.withheld else "",
                    licence,
                ]
            )
    if format is OpenFormat.CSV:
        return csv_response((header, rows), filename)
    described = [
        [
            i.value,
            d.label["en"],
            d.unit["en"],
            d.definition["sv"],
            d.definition["fi"],
            d.definition["en"],
        ]
        for i, d in DEFINITIONS.items()
    ]
    return xlsx_response(
        {
            "indicators": (header, rows),
            "definitions": (["indicator", "label", "unit", "sv", "fi", "en"], described),
            "licence": (
                ["licence", "url", "attribution"],
                [[LICENCE["name"], LICENCE["url"], ATTRIBUTION]],
            ),
        },
        filename,
    )
