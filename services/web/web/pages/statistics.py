"""The follow-up of the culture work: the statistics of a school year for the culture office and,
read only, the analyst (reach, use and equity by school, district, grade, event or organizer);
the evaluations of each event for its organizer and the culture office. Charts drawn here as SVG,
each beside the same figures in a table; the stats service's CSV and XLSX passed on as they are."""

from typing import Any

from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kulturbro_runtime import Role
from kulturbro_runtime.localization import LOCALES
from web.charts import bars
from web.i18n import translations
from web.pages.common import CheckedFormDep, see_other, signed_in_as
from web.platform import Download, NotFound, Platform
from web.rendering import NO_STORE, render
from web.visitors import Visitor, VisitorDep
from web.words import N_, TARGET_GROUPS

router = APIRouter(include_in_schema=False)

TERMS = {"": N_("The whole school year"), "autumn": N_("Autumn term"), "spring": N_("Spring term")}
DIMENSIONS = {
    "school": N_("School"),
    "district": N_("District"),
    "target_group": N_("Target group"),
    "event": N_("Event"),
    "organizer": N_("Organizer"),
}
FILE_TYPES = ("csv", "xlsx")
SCALE_TOP = 5  # an evaluation's best score: its bar is full length
QUESTIONS = {
    "overall": N_("The performance or visit as a whole"),
    "age_fit": N_("How well it suited the pupils' age"),
    "engagement": N_("The pupils' engagement"),
    "arrangements": N_("The venue and practical arrangements"),
    "bus": N_("The culture bus"),
}
READERS = {"/office": Role.ADMINISTRATOR, "/analyst": Role.ANALYST, "/organizer": Role.ORGANIZER}


def _token(request: Request, visitor: Visitor, role: Role) -> str:
    signed_in_as(visitor, request, role)
    assert visitor.signed_in is not None
    return visitor.signed_in.access_token


def _passed_on(found: Download) -> Response:
    return Response(
        found.body,
        media_type=found.content_type,
        headers=NO_STORE | {"Content-Disposition": found.disposition},
    )


async def time_zone(request: Request, visitor: Visitor) -> str:
    """The municipality's, for saying how fresh the figures are."""
    assert visitor.signed_in is not None and visitor.signed_in.municipality_id is not None
    platform: Platform = request.app.state.platform
    found = await platform.public_municipality(visitor.signed_in.municipality_id, visitor.address)
    return found.time_zone


def numbers(visitor: Visitor) -> dict[str, Any]:
    locale = LOCALES[visitor.language]

    def percent(share: float | None) -> str:
        return "–" if share is None else format_percent(share, locale=locale)

    def decimal(value: float | None, pattern: str = "0.00") -> str:
        return "–" if value is None else format_decimal(value, pattern, locale=locale)

    return {"percent": percent, "decimal": decimal}


async def _statistics(request: Request, visitor: Visitor, home: str) -> HTMLResponse:
    token = _token(request, visitor, READERS[home])
    platform: Platform = request.app.state.platform
    index = await platform.statistics_index(token)
    asked = request.query_params
    year = asked.get("year") if asked.get("year") in index.school_years else None
    year = year or (index.school_years[-1] if index.school_years else None)
    term = asked.get("term", "") if asked.get("term", "") in TERMS else ""
    by = asked.get("by", "school") if asked.get("by", "school") in DIMENSIONS else "school"
    params = {"by": by} | ({"term": term} if term else {})
    found = await platform.statistics(token, year, params) if year else None
    words = translations(visitor.language).gettext

    def label(key: str, given: str) -> str:
        return words(TARGET_GROUPS[key]) if by == "target_group" and key in TARGET_GROUPS else given

    chart = (
        bars([(label(r.key, r.label), r.visits_per_pupil or 0.0) for r in found.rows])
        if found
        else None
    )
    publishes = await platform.publishes_open_data(token) if home == "/office" else None
    return render(
        request,
        "office/statistics.html",
        publishes=publishes,
        published=asked.get("published"),
        headers=NO_STORE,
        home=home,
        years=index.school_years,
        year=year,
        term=term,
        by=by,
        terms=TERMS,
        dimensions=DIMENSIONS,
        questions=QUESTIONS,
        found=found,
        chart=chart,
        label=label,
        time_zone=await time_zone(request, visitor),
        download=lambda kind: (
            f"{home}/statistics/{year}.{kind}?" + "&".join(f"{k}={v}" for k, v in params.items())
        ),
        **numbers(visitor),
    )


async def _statistics_file(
    request: Request, visitor: Visitor, home: str, school_year: str, kind: str
) -> Response:
    token = _token(request, visitor, READERS[home])
    if kind not in FILE_TYPES:
        raise NotFound(f"no {kind!r} files")
    params = {k: v for k, v in request.query_params.items() if k in ("term", "by")}
    found = await request.app.state.platform.download(
        token, f"/api/stats/statistics/{school_year}", params | {"format": kind}
    )
    return _passed_on(found)


async def _evaluations(request: Request, visitor: Visitor, home: str) -> HTMLResponse:
    token = _token(request, visitor, READERS[home])
    results = await request.app.state.platform.evaluation_results(token)
    words = translations(visitor.language).gettext
    charts = {
        r.event_id: bars(
            [(words(QUESTIONS[q.question.value]), q.mean) for q in r.questions], top=SCALE_TOP
        )
        for r in results.events
        if r.shown
    }
    return render(
        request,
        "organizer/evaluations.html",
        headers=NO_STORE,
        home=home,
        results=results,
        charts=charts,
        questions=QUESTIONS,
        time_zone=await time_zone(request, visitor),
        **numbers(visitor),
    )


async def _evaluations_file(request: Request, visitor: Visitor, home: str) -> Response:
    token = _token(request, visitor, READERS[home])
    found = await request.app.state.platform.download(
        token, "/api/stats/evaluations/results", {"format": "csv"}
    )
    return _passed_on(found)


@router.post("/office/open-data")
async def choose_open_data(
    request: Request, visitor: VisitorDep, fields: CheckedFormDep
) -> Response:
    """Whether the municipality's open indicators are published (an operator sees them anyway)."""
    token = _token(request, visitor, Role.ADMINISTRATOR)
    publishes = fields.get("publishes") == "yes"
    await request.app.state.platform.choose_open_data(token, publishes)
    return see_other(f"/office/statistics?published={'yes' if publishes else 'no'}#open-data")


def _serve_statistics(home: str) -> None:
    async def page(request: Request, visitor: VisitorDep) -> HTMLResponse:
        return await _statistics(request, visitor, home)

    async def file(request: Request, visitor: VisitorDep, school_year: str, kind: str) -> Response:
        return await _statistics_file(request, visitor, home, school_year, kind)

    router.add_api_route(f"{home}/statistics", page, response_class=HTMLResponse)
    router.add_api_route(f"{home}/statistics/{{school_year}}.{{kind}}", file)


def _serve_evaluations(home: str) -> None:
    async def page(request: Request, visitor: VisitorDep) -> HTMLResponse:
        return await _evaluations(request, visitor, home)

    async def file(request: Request, visitor: VisitorDep) -> Response:
        return await _evaluations_file(request, visitor, home)

    router.add_api_route(f"{home}/evaluations", page, response_class=HTMLResponse)
    router.add_api_route(f"{home}/evaluations.csv", file)


for reader in ("/office", "/analyst"):
    _serve_statistics(reader)
for reader in ("/organizer", "/office"):
    _serve_evaluations(reader)
