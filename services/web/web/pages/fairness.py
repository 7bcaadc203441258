"""The fairness figures of this term: how evenly seats fall on the municipality's schools, for
the culture office and, read only, the analyst. A chart drawn here as SVG (no script), with the
same figures in a table."""

from dataclasses import dataclass

from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kulturbro_runtime import Role
from kulturbro_runtime.localization import LOCALES
from web.charts import bars
from web.pages.common import signed_in_as
from web.platform import Platform
from web.rendering import NO_STORE, render
from web.visitors import VisitorDep

router = APIRouter(include_in_schema=False)

# The units named in the chart and table: one list from the directory.
UNITS_FOR_NAMES = 500


@dataclass(frozen=True)
class SchoolRow:
    name: str
    district: str
    seats_per_pupil: float


async def _figures(request: Request, visitor: VisitorDep, role: Role) -> HTMLResponse:
    signed_in_as(visitor, request, role)
    assert visitor.signed_in is not None
    token = visitor.signed_in.access_token
    platform: Platform = request.app.state.platform
    figures = await platform.fairness(token, visitor.address)
    units = await platform.schools(token, {"limit": str(UNITS_FOR_NAMES)}, visitor.address)
    named = {unit.id: unit for unit in units}
    ordered = sorted(
        figures.seats_per_pupil.items(),
        key=lambda item: (
            named[item[0]].district or "" if item[0] in named else "",
            named[item[0]].name if item[0] in named else str(item[0]),
        ),
    )
    rows = [
        SchoolRow(
            name=named[unit].name if unit in named else str(unit),
            district=(named[unit].district or "") if unit in named else "",
            seats_per_pupil=value,
        )
        for unit, value in ordered
    ]
    locale = LOCALES[visitor.language]
    return render(
        request,
        "analyst/fairness.html",
        percent=lambda share: format_percent(share, locale=locale),
        decimal=lambda value: format_decimal(value, "0.000", locale=locale),
        headers=NO_STORE,
        figures=figures,
        rows=rows,
        chart=bars(
            [
                (f"{r.name} ({r.district})" if r.district else r.name, r.seats_per_pupil)
                for r in rows
            ]
        ),
    )


@router.get("/office/fairness", response_class=HTMLResponse)
async def office_fairness(request: Request, visitor: VisitorDep) -> HTMLResponse:
    return await _figures(request, visitor, Role.ADMINISTRATOR)


@router.get("/analyst/fairness", response_class=HTMLResponse)
async def analyst_fairness(request: Request, visitor: VisitorDep) -> HTMLResponse:
    return await _figures(request, visitor, Role.ANALYST)
