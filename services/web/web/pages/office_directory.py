"""The culture office browses and searches the municipality's schools, groups and teachers, page
by page, as the directory lists them."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kulturbro_runtime import Role
from web.pages.common import signed_in_as
from web.platform import Platform
from web.rendering import render
from web.visitors import VisitorDep
from web.words import N_

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
# The directory's own bound on how far a list pages.
MAX_PAGE = 200
# A group's school named from one list of the units; a municipality with more shows the rest by
# their group filter's link only.
UNITS_FOR_NAMES = 500
UNIT_KINDS = {
    "preschool": N_("Preschool"),
    "school": N_("School"),
    "elderly_care_home": N_("Elderly-care home"),
}
INVITATIONS = {
    "immediate": N_("At once"),
    "weekly_digest": N_("Once a week"),
    "none": N_("No invitations"),
}
Words = Annotated[str, Query(max_length=200)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]


def _asked(q: str, page: int, **extra: str) -> dict[str, str]:
    """One more than a page: whether a next page exists, without counting them all."""
    params = {"limit": str(PAGE_SIZE + 1), "offset": str((page - 1) * PAGE_SIZE)} | extra
    return params | ({"q": q.strip()} if q.strip() else {})


async def _listing(
    request: Request,
    visitor: VisitorDep,
    what: str,
    q: str,
    page: int,
    **extra: str,
) -> tuple[str, list[Any], Platform]:
    signed_in_as(visitor, request, Role.ADMINISTRATOR)
    assert visitor.signed_in is not None
    platform: Platform = request.app.state.platform
    token, params = visitor.signed_in.access_token, _asked(q, page, **extra)
    found: list[Any]
    if what == "schools":
        found = list(await platform.schools(token, params, visitor.address))
    elif what == "groups":
        found = list(await platform.groups(token, params, visitor.address))
    else:
        found = list(await platform.teachers(token, params, visitor.address))
    return token, found, platform


def _page_of(
    request: Request, what: str, found: list[Any], q: str, page: int, **context: Any
) -> HTMLResponse:
    return render(
        request,
        f"office/{what}.html",
        what=what,
        rows=found[:PAGE_SIZE],
        q=q,
        page=page,
        has_next=len(found) > PAGE_SIZE,
        unit_kinds=UNIT_KINDS,
        invitations=INVITATIONS,
        **context,
    )


@router.get("/office/schools", response_class=HTMLResponse)
async def schools(
    request: Request, visitor: VisitorDep, q: Words = "", page: PageNumber = 1
) -> HTMLResponse:
    _, found, _ = await _listing(request, visitor, "schools", q, page)
    return _page_of(request, "schools", found, q, page, unit=None)


@router.get("/office/groups", response_class=HTMLResponse)
async def groups(
    request: Request,
    visitor: VisitorDep,
    q: Words = "",
    page: PageNumber = 1,
    unit: UUID | None = None,
) -> HTMLResponse:
    extra = {"unit_id": str(unit)} if unit else {}
    token, found, platform = await _listing(request, visitor, "groups", q, page, **extra)
    units = await platform.schools(token, {"limit": str(UNITS_FOR_NAMES)}, visitor.address)
    names = {str(one.id): one.name for one in units}
    return _page_of(
        request, "groups", found, q, page, unit=str(unit) if unit else None, unit_names=names
    )


@router.get("/office/teachers", response_class=HTMLResponse)
async def teachers(
    request: Request, visitor: VisitorDep, q: Words = "", page: PageNumber = 1
) -> HTMLResponse:
    _, found, _ = await _listing(request, visitor, "teachers", q, page)
    return _page_of(request, "teachers", found, q, page, unit=None)
