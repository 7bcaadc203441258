"""Reach: which school groups the culture work reached in a school year, the reach the teachers'
own requests gave beside the reach with outreach (accepted offers of held-back seats), and the
groups no visit and no request has reached yet. The office also sets the municipality's goal;
the analyst reads the same figures."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kulturbro_runtime import Role
from web.charts import bars
from web.i18n import translations
from web.pages.common import CheckedFormDep, see_other, signed_in_as
from web.pages.statistics import TERMS, numbers, time_zone
from web.platform import Platform, ReachGoal, Refused
from web.rendering import NO_STORE, render
from web.visitors import Visitor, VisitorDep
from web.words import N_, TARGET_GROUPS

router = APIRouter(include_in_schema=False)
READERS = {"/office": Role.ADMINISTRATOR, "/analyst": Role.ANALYST}
ALONE, WITH_OUTREACH = N_("requests alone"), N_("with outreach")
GOAL_BOUNDS = {
    "visits_per_group": (1, 12, N_("Write how many visits each group should have, 1 to 12.")),
    "groups_percent": (1, 100, N_("Write the share of the groups in percent, 1 to 100.")),
}


def _token(request: Request, visitor: Visitor, role: Role) -> str:
    signed_in_as(visitor, request, role)
    assert visitor.signed_in is not None
    return visitor.signed_in.access_token


async def _page(
    request: Request,
    visitor: Visitor,
    home: str,
    goal: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    token = _token(request, visitor, READERS[home])
    platform: Platform = request.app.state.platform
    years = (await platform.statistics_index(token)).school_years
    asked = request.query_params.get("year")
    year = asked if asked in years else None
    terms = await platform.reach_by_term(token, year)
    unreached = await platform.unreached(token, terms.school_year)
    words = translations(visitor.language).gettext
    rows: list[tuple[str, float]] = []
    for term in terms.terms:
        name = words(TERMS[term.term or ""])
        rows.append((f"{name}, {words(ALONE)}", term.requests_alone.groups_share or 0.0))
        rows.append((f"{name}, {words(WITH_OUTREACH)}", term.with_outreach.groups_share or 0.0))
    shown_goal = goal or {name: str(value) for name, value in terms.goal.model_dump().items()}
    return render(
        request,
        "office/reach.html",
        status_code=status_code,
        headers=NO_STORE,
        home=home,
        years=sorted({*years, terms.school_year}),
        year=terms.school_year,
        terms=terms,
        term_names=TERMS,
        unreached=unreached,
        target_groups=TARGET_GROUPS,
        chart=bars(rows, top=1.0),
        goal=shown_goal,
        problems=problems or {},
        saved=request.query_params.get("saved") == "true",
        time_zone=await time_zone(request, visitor),
        **numbers(visitor),
    )


def _read_goal(form: dict[str, str]) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    typed = {name: form.get(name, "").strip() for name in GOAL_BOUNDS}
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, (lowest, highest, wrong) in GOAL_BOUNDS.items():
        number = int(typed[name]) if typed[name].isdigit() else None
        if number is None or not lowest <= number <= highest:
            problems[name] = wrong
        values[name] = number
    return typed, values, problems


@router.post("/office/reach/goal", response_class=HTMLResponse)
async def choose_goal(request: Request, visitor: VisitorDep, form: CheckedFormDep) -> Response:
    token = _token(request, visitor, Role.ADMINISTRATOR)
    typed, values, problems = _read_goal(form)
    if not problems:
        try:
            await request.app.state.platform.change_reach_goal(token, ReachGoal(**values))
        except Refused as refused:
            for problem in refused.problems:
                field = problem.field.split(".")[-1]
                problems[field if field in GOAL_BOUNDS else "visits_per_group"] = problem.message
        else:
            return see_other("/office/reach?saved=true#goal")
    return await _page(request, visitor, "/office", typed, problems, status_code=422)


def _serve(home: str) -> None:
    async def page(request: Request, visitor: VisitorDep) -> HTMLResponse:
        return await _page(request, visitor, home)

    router.add_api_route(f"{home}/reach", page, response_class=HTMLResponse)


for _home in READERS:
    _serve(_home)
