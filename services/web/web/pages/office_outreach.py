"""The culture office's outreach settings of one event decided by a draw: the share of its seats
held for classes with no visit this school year, and the days held seats and district quotas
give way. The catalog keeps them; an organizer may have set them with the event."""

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kulturbro_runtime import Role
from web.event_form import NUMBERS, RELEASE_DAYS
from web.event_form import REFUSALS as EVENT_REFUSALS
from web.pages.common import CheckedFormDep, see_other, signed_in_as
from web.platform import EventListing, Platform, Refused
from web.rendering import NO_STORE, render
from web.visitors import Visitor, VisitorDep
from web.words import N_

router = APIRouter(include_in_schema=False)
FIELDS = ("held_back_share", *RELEASE_DAYS)
WRONG_DAY = N_("Write the day as year-month-day, e.g. 2027-03-01.")


def _office(request: Request, visitor: Visitor) -> str:
    signed_in_as(visitor, request, Role.ADMINISTRATOR)
    assert visitor.signed_in is not None
    return visitor.signed_in.access_token


async def _page(
    request: Request,
    visitor: Visitor,
    event: EventListing,
    values: dict[str, str],
    problems: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "office/outreach.html",
        status_code=status_code,
        headers=NO_STORE,
        event=event,
        values=values,
        problems=problems,
        saved=request.query_params.get("saved") == "true",
    )


def _read(form: dict[str, str]) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    typed = {name: form.get(name, "").strip() for name in FIELDS}
    body: dict[str, Any] = {}
    problems: dict[str, str] = {}
    least, most, wrong = NUMBERS["held_back_share"]
    share = typed["held_back_share"]
    if share.isdigit() and least <= int(share) <= most:
        body["held_back_share"] = int(share)
    else:
        problems["held_back_share"] = wrong
    for name in RELEASE_DAYS:
        body[name] = None
        if typed[name]:
            try:
                body[name] = date.fromisoformat(typed[name]).isoformat()
            except ValueError:
                problems[name] = WRONG_DAY
    return typed, body, problems


@router.get("/office/events/{event_id}/outreach", response_class=HTMLResponse)
async def outreach_page(event_id: UUID, request: Request, visitor: VisitorDep) -> HTMLResponse:
    _office(request, visitor)
    platform: Platform = request.app.state.platform
    event = await platform.public_event(event_id, visitor.address)
    values = {
        "held_back_share": str(event.held_back_share),
        **{
            name: (day.isoformat() if (day := getattr(event, name)) else "")
            for name in RELEASE_DAYS
        },
    }
    return await _page(request, visitor, event, values, {})


@router.post("/office/events/{event_id}/outreach", response_class=HTMLResponse)
async def change_outreach(
    event_id: UUID, request: Request, visitor: VisitorDep, form: CheckedFormDep
) -> Response:
    token = _office(request, visitor)
    platform: Platform = request.app.state.platform
    typed, body, problems = _read(form)
    if not problems:
        try:
            await platform.change_outreach(token, event_id, body)
        except Refused as refused:
            for problem in refused.problems:
                name = problem.field.split(".")[0]
                problems[name if name in FIELDS else "held_back_share"] = EVENT_REFUSALS.get(
                    name, EVENT_REFUSALS["held_back_share"]
                )
        else:
            return see_other(f"/office/events/{event_id}/outreach?saved=true")
    event = await platform.public_event(event_id, visitor.address)
    return await _page(request, visitor, event, typed, problems, status_code=422)
