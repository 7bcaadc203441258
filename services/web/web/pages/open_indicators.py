"""Open indicators for anyone, without signing in: every publishing municipality side by side for
a school year, withheld cells marked, each indicator's definition in the reader's language, and
the data itself (JSON-stat 2.0, CSV, XLSX) under the stats service's stable /open/v1 path."""

from typing import Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kulturbro_runtime.localization import LOCALES
from web.open_data import read_dataset
from web.platform import Platform
from web.rendering import render
from web.visitors import Visitor, VisitorDep

router = APIRouter(include_in_schema=False)
OPEN_API = "/api/stats/open/v1"


def _in_language(words: dict[str, str], visitor: Visitor) -> str:
    return words.get(visitor.language.value) or words.get("en", "")


@router.get("/open", response_class=HTMLResponse)
async def open_indicators(request: Request, visitor: VisitorDep) -> HTMLResponse:
    platform: Platform = request.app.state.platform
    index = await platform.open_indicators_index(visitor.address)
    years: list[str] = index.get("school_years", [])
    asked = request.query_params.get("year")
    year = asked if asked in years else (years[-1] if years else None)
    table = read_dataset(await platform.open_indicators(year, visitor.address)) if year else None
    definitions: dict[str, Any] = (await platform.open_definitions(visitor.address))["indicators"]
    locale = LOCALES[visitor.language]
    return render(
        request,
        "public/open.html",
        years=years,
        year=year,
        table=table,
        licence=index.get("licence", {}),
        label=lambda indicator: _in_language(definitions[indicator]["label"], visitor),
        unit=lambda indicator: _in_language(definitions[indicator]["unit"], visitor),
        number=lambda value, decimals: format_decimal(
            value, "0" + ("." + "0" * decimals if decimals else ""), locale=locale
        ),
        data_url=lambda kind: f"{OPEN_API}/indicators/{year}?format={kind}",
    )


@router.get("/open/definitions", response_class=HTMLResponse)
async def open_definitions(request: Request, visitor: VisitorDep) -> HTMLResponse:
    platform: Platform = request.app.state.platform
    found = await platform.open_definitions(visitor.address)
    definitions = [
        {
            "id": indicator,
            "label": _in_language(d["label"], visitor),
            "unit": _in_language(d["unit"], visitor),
            "definition": _in_language(d["definition"], visitor),
        }
        for indicator, d in found["indicators"].items()
    ]
    return render(
        request,
        "public/open_definitions.html",
        definitions=definitions,
        licence=found.get("licence", {}),
        withheld=_in_language(found.get("withheld", {}).get("c", {}), visitor),
    )
