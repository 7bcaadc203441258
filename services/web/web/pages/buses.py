"""The culture office's page of a day's culture buses: each bus's stops in order with the time,
the place, who gets on or off and how many are on board; the classes no bus could take and why;
and beside each class a form that moves it to another bus, refused with the rule it would break
and the buses that could take it."""

import re
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kulturbro_runtime import Role
from web.bus_timeline import timeline
from web.pages.common import CheckedFormDep, see_other, signed_in_as
from web.platform import Conflict, DayPlan, Platform, Refused, Unserved
from web.rendering import NO_STORE, render
from web.visitors import Visitor, VisitorDep
from web.words import BROKEN_BUS_RULES, N_, NO_BUS_REASONS, WHAT_TO_FIX

router = APIRouter(include_in_schema=False)
WRONG_DAY = N_("Write the day as 2027-03-01.")
NO_SUCH_BUS = N_("Choose one of the municipality's buses.")
CANNOT_MOVE = N_("The move would break the bus rules.")


def _office(request: Request, visitor: Visitor) -> str:
    signed_in_as(visitor, request, Role.ADMINISTRATOR)
    assert visitor.signed_in is not None and visitor.signed_in.municipality_id is not None
    return visitor.signed_in.access_token


def _classes(plan: DayPlan | None) -> dict[str, list[tuple[UUID, str]]]:
    """Each bus's classes, by the school they are picked up at, in the order it takes them."""
    found: dict[str, list[tuple[UUID, str]]] = {}
    for run in plan.buses if plan else []:
        seen = found.setdefault(run.bus, [])
        for stop in run.stops:
            if stop.kind == "pick_up" and stop.leg == "there":
                seen.append((stop.booking_id, stop.place))
    return found


def what_to_fix(unserved: Unserved) -> list[tuple[str, dict[str, str]]]:
    """What to change for a class without a bus, as the page's sentences to translate and the
    values they name; none where the page lacks a code or a value of one (a newer transport),
    so that transport's English words stand instead."""
    said = []
    for fix in unserved.fixes:
        words = WHAT_TO_FIX.get(fix.code)
        if words is None or not set(re.findall(r"%\((\w+)\)s", words)) <= fix.params.keys():
            return []
        said.append((words, fix.params))
    return said


async def _page(
    request: Request,
    visitor: Visitor,
    asked: str,
    *,
    refusal: tuple[UUID, dict[str, object]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    token = _office(request, visitor)
    platform: Platform = request.app.state.platform
    problem, day = None, None
    try:
        day = date.fromisoformat(asked) if asked else datetime.now().date()
    except ValueError:
        problem = WRONG_DAY
    plan = await platform.day_plan(token, day) if day else None
    municipality = await platform.own_municipality(token, visitor.address)
    return render(
        request,
        "office/buses.html",
        status_code=422 if problem else status_code,
        headers=NO_STORE,
        day=asked or (day.isoformat() if day else ""),
        plan=plan,
        problem=problem,
        reasons=NO_BUS_REASONS,
        fixes={class_.booking_id: what_to_fix(class_) for class_ in plan.unserved} if plan else {},
        time_zone=municipality.time_zone,
        timeline=timeline(plan.buses, ZoneInfo(municipality.time_zone)) if plan else None,
        fleet=[bus.name for bus in municipality.bus_fleet],
        classes=_classes(plan),
        placed={p.booking_id: p for p in plan.placed_by_hand} if plan else {},
        refusal=refusal,
    )


@router.get("/office/buses", response_class=HTMLResponse)
async def day_of_buses(request: Request, visitor: VisitorDep) -> HTMLResponse:
    return await _page(request, visitor, request.query_params.get("day", ""))


@router.post("/office/buses/move", response_class=HTMLResponse)
async def move_to_bus(request: Request, visitor: VisitorDep, form: CheckedFormDep) -> Response:
    """POST/redirect/GET: the day's page again, or the same page with the refusal beside the
    class's field."""
    token = _office(request, visitor)
    platform: Platform = request.app.state.platform
    asked = form.get("day", "")
    try:
        day, booking_id = date.fromisoformat(asked), UUID(form.get("booking_id", ""))
    except ValueError:
        return await _page(request, visitor, asked, status_code=422)
    try:
        await platform.move_to_bus(token, day, booking_id, form.get("bus", ""))
    except Conflict as refused:
        return await _page(
            request, visitor, asked, refusal=(booking_id, _why(refused.body)), status_code=409
        )
    except Refused:
        why: dict[str, object] = {"messages": [NO_SUCH_BUS], "fits_on": []}
        return await _page(request, visitor, asked, refusal=(booking_id, why), status_code=422)
    return see_other(f"/office/buses?day={day.isoformat()}#bus-of-{booking_id}")


def _why(body: dict[str, object]) -> dict[str, object]:
    """The transport's refusal in words the page translates: the rules, or why no bus at all."""
    reason = body.get("reason")
    rules = body.get("broken_rules")
    if isinstance(reason, str) and reason in NO_BUS_REASONS:
        messages = [NO_BUS_REASONS[reason]]
    elif isinstance(rules, list):
        messages = [BROKEN_BUS_RULES.get(str(rule), CANNOT_MOVE) for rule in rules]
    else:
        messages = []
    fits_on = body.get("fits_on")
    return {
        "messages": list(dict.fromkeys(messages or [CANNOT_MOVE])),
        "fits_on": [str(bus) for bus in fits_on] if isinstance(fits_on, list) else [],
    }
