"""The culture office reads its municipality's audit log (every change made through the gateway,
newest first, page by page, in the municipality's time) and its teachers' requests that their data
be deleted, marking each handled once it has answered."""

import contextlib
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from kulturbro_runtime import Role
from web.pages.common import CheckedFormDep, see_other, signed_in_as
from web.platform import Conflict, Platform
from web.rendering import NO_STORE, render
from web.visitors import VisitorDep
from web.words import N_

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
# The gateway's bound on a handled request's note.
MAX_NOTE = 2000
# The gateway's own bound on how far the log pages.
MAX_PAGE = 200
ROLES = {
    Role.OPERATOR.value: N_("Operator"),
    Role.ADMINISTRATOR.value: N_("Culture office"),
    Role.ORGANIZER.value: N_("Organizer"),
    Role.TEACHER.value: N_("Teacher"),
    Role.ANALYST.value: N_("Analyst"),
}


@router.get("/office/audit", response_class=HTMLResponse)
async def audit_page(
    request: Request,
    visitor: VisitorDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    signed_in_as(visitor, request, Role.ADMINISTRATOR)
    assert visitor.signed_in is not None
    token = visitor.signed_in.access_token
    platform: Platform = request.app.state.platform
    municipality = await platform.own_municipality(token, visitor.address)
    # One more than a page: whether a next page exists, without counting them all.
    found = await platform.audit_log(token, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE, visitor.address)
    return render(
        request,
        "office/audit.html",
        headers=NO_STORE,
        entries=found[:PAGE_SIZE],
        page=page,
        has_next=len(found) > PAGE_SIZE,
        zone=municipality.time_zone,
        roles=ROLES,
    )


@router.get("/office/deletion-requests", response_class=HTMLResponse)
async def deletion_requests(request: Request, visitor: VisitorDep) -> HTMLResponse:
    signed_in_as(visitor, request, Role.ADMINISTRATOR)
    assert visitor.signed_in is not None
    token = visitor.signed_in.access_token
    platform: Platform = request.app.state.platform
    municipality = await platform.own_municipality(token, visitor.address)
    return render(
        request,
        "office/deletion_requests.html",
        headers=NO_STORE,
        requests=await platform.deletion_requests(token),
        zone=municipality.time_zone,
        handled=request.query_params.get("handled") == "1",
        max_note=MAX_NOTE,
    )


@router.post("/office/deletion-requests/{request_id}/handled")
async def mark_handled(
    request_id: UUID, request: Request, visitor: VisitorDep, fields: CheckedFormDep
) -> Response:
    signed_in_as(visitor, request, Role.ADMINISTRATOR)
    assert visitor.signed_in is not None
    platform: Platform = request.app.state.platform
    note = fields.get("note", "").strip()[:MAX_NOTE]
    # Conflict: a colleague marked it meanwhile, which is what the reader wanted.
    with contextlib.suppress(Conflict):
        await platform.mark_deletion_request_handled(
            visitor.signed_in.access_token, request_id, note
        )
    return see_other(f"/office/deletion-requests?handled=1#request-{request_id}")
