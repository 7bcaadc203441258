"""The culture office's page of a day's culture buses: each bus's stops in order with the time,
the place, who gets on or off and how many are on board; the classes no bus could take and why."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kulturbro_runtime import Role
from web.bus_timeline import timeline
from web.pages.common import signed_in_as
from web.platform import Platform
from web.rendering import NO_STORE, render
from web.visitors import VisitorDep
from web.words import N_, NO_BUS_REASONS

router = APIRouter(include_in_schema=False)
WRONG_DAY = N_("Write the day as 2027-03-01.")


@router.get("/office/buses", response_class=HTMLResponse)
async def day_of_buses(request: Request, visitor: VisitorDep) -> HTMLResponse:
    signed_in_as(visitor, request, Role.ADMINISTRATOR)
    assert visitor.signed_in is not None and visitor.signed_in.municipality_id is not None
    platform: Platform = request.app.state.platform
    asked = request.query_params.get("day", "")
    problem, day = None, None
    try:
        day = date.fromisoformat(asked) if asked else datetime.now().date()
    except ValueError:
        problem = WRONG_DAY
    plan = await platform.day_plan(visitor.signed_in.access_token, day) if day else None
    municipality = await platform.public_municipality(
        visitor.signed_in.municipality_id, visitor.address
    )
    return render(
        request,
        "office/buses.html",
        status_code=422 if problem else 200,
        headers=NO_STORE,
        day=asked or (day.isoformat() if day else ""),
        plan=plan,
        problem=problem,
        reasons=NO_BUS_REASONS,
        time_zone=municipality.time_zone,
        timeline=timeline(plan.buses, ZoneInfo(municipality.time_zone)) if plan else None,
    )
