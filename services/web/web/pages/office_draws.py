"""The culture office's draws: which events a draw decides and where each stands, a draw run now
once its window has closed, and a drawn one audited: its seed, what it saw, and every request in
the order it was served, with what each got."""

import json
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kulturbro_runtime import Role
from web.pages.common import CheckedFormDep, see_other, signed_in_as
from web.platform import Conflict, DrawAudit, DrawState, Platform
from web.rendering import NO_STORE, render
from web.visitors import Visitor, VisitorDep
from web.words import BOOKING_POLICIES, N_

router = APIRouter(include_in_schema=False)

# The allocation's reasons for turning a request away; one it adds later shows as its code.
REJECTIONS = {
    "no_participants": N_("no pupils or adults were named"),
    "occurrence_not_offered": N_("none of its choices is offered"),
    "group_too_large": N_("the group is larger than the event takes"),
    "already_requested": N_("the group had asked already"),
    "school_limit_reached": N_("the school had had its share"),
}


def _office(request: Request, visitor: Visitor) -> str:
    signed_in_as(visitor, request, Role.ADMINISTRATOR)
    assert visitor.signed_in is not None
    return visitor.signed_in.access_token


async def _zone(request: Request, token: str, visitor: Visitor) -> str:
    platform: Platform = request.app.state.platform
    return (await platform.own_municipality(token, visitor.address)).time_zone


async def _list(
    request: Request, visitor: Visitor, refused: UUID | None = None, status_code: int = 200
) -> HTMLResponse:
    token = _office(request, visitor)
    platform: Platform = request.app.state.platform
    return render(
        request,
        "office/draws.html",
        status_code=status_code,
        headers=NO_STORE,
        draws=await platform.draws(token, visitor.address),
        zone=await _zone(request, token, visitor),
        policies=BOOKING_POLICIES,
        refused=refused,
    )


@router.get("/office/draws", response_class=HTMLResponse)
async def draws_page(request: Request, visitor: VisitorDep) -> HTMLResponse:
    return await _list(request, visitor)


@router.post("/office/draws/{event_id}", response_class=HTMLResponse)
async def draw_now(
    event_id: UUID, request: Request, visitor: VisitorDep, _: CheckedFormDep
) -> Response:
    token = _office(request, visitor)
    platform: Platform = request.app.state.platform
    try:
        await platform.draw_now(token, event_id)
    except Conflict:
        drawn = any(
            d.event_id == event_id and d.state == DrawState.DRAWN
            for d in await platform.draws(token, visitor.address)
        )
        if not drawn:  # its window opened again, or its policy changed, since the list was read
            return await _list(request, visitor, refused=event_id, status_code=409)
        # Else the schedule drew it meanwhile, which is what the reader wanted.
    return see_other(f"/office/draws/{event_id}")


@router.get("/office/draws/{event_id}", response_class=HTMLResponse)
async def audit_page(event_id: UUID, request: Request, visitor: VisitorDep) -> HTMLResponse:
    token = _office(request, visitor)
    platform: Platform = request.app.state.platform
    audit = DrawAudit.model_validate(await platform.draw_record(token, event_id, visitor.address))
    occurrences = {o.id: o for o in audit.occurrences}
    return render(
        request,
        "office/draw.html",
        headers=NO_STORE,
        audit=audit,
        occurrences=occurrences,
        zone=await _zone(request, token, visitor),
        policies=BOOKING_POLICIES,
        rejections=REJECTIONS,
    )


@router.get("/office/draws/{event_id}/draw.json")
async def audit_file(event_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Everything the draw saw and decided, with its seed: enough to draw it again."""
    token = _office(request, visitor)
    platform: Platform = request.app.state.platform
    record = await platform.draw_record(token, event_id, visitor.address)
    return Response(
        json.dumps(record, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers=NO_STORE | {"Content-Disposition": f'attachment; filename="draw-{event_id}.json"'},
    )
