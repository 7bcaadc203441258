"""A teacher's own pages: my groups, and the events for them with the public listing's filters."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kulturbro_runtime import Role
from kulturbro_runtime.localization import DEFAULT_TIME_ZONE
from web.pages.common import signed_in_as
from web.pages.public import paging, read_filters
from web.platform import EventsForGroupsPage, Municipality, NotFound, Platform
from web.rendering import render
from web.sessions import SignedIn
from web.visitors import Visitor, VisitorDep
from web.words import CATEGORIES, TARGET_GROUPS

router = APIRouter(include_in_schema=False)


def _teacher(request: Request, visitor: Visitor) -> SignedIn:
    signed_in_as(visitor, request, Role.TEACHER)
    assert visitor.signed_in is not None
    return visitor.signed_in


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def _municipality(platform: Platform, teacher: SignedIn, visitor: Visitor) -> Municipality:
    """The teacher's municipality, for its time zone and districts."""
    if teacher.municipality_id is None:
        raise NotFound("a teacher without a municipality")
    return await platform.public_municipality(teacher.municipality_id, visitor.address)


@router.get("/teacher/groups", response_class=HTMLResponse)
async def my_groups(request: Request, visitor: VisitorDep) -> HTMLResponse:
    teacher = _teacher(request, visitor)
    groups = await _platform(request).my_groups(teacher.access_token)
    return render(request, "teacher/groups.html", groups=groups)


@router.get("/teacher/events", response_class=HTMLResponse)
async def events_for_my_groups(request: Request, visitor: VisitorDep) -> HTMLResponse:
    teacher = _teacher(request, visitor)
    platform = _platform(request)
    municipality = await _municipality(platform, teacher, visitor)
    filters = read_filters(dict(request.query_params), municipality.time_zone)

    async def search() -> EventsForGroupsPage | None:
        if filters.problems:
            return None
        return await platform.events_for_my_groups(teacher.access_token, filters.search)

    # Asked at once: the page waits for the slower of the two, not for both in turn.
    groups, found = await asyncio.gather(platform.my_groups(teacher.access_token), search())
    # Only the target groups the teacher's groups are in: no other can match.
    theirs = {group.target_group for group in groups}
    return render(
        request,
        "teacher/events.html",
        status_code=422 if filters.problems else 200,
        municipality=municipality,
        time_zone=municipality.time_zone or DEFAULT_TIME_ZONE,
        filters=filters,
        found=found,
        **paging(request, filters, found),
        group_names={group.id: group.name for group in groups},
        target_groups={code: name for code, name in TARGET_GROUPS.items() if code in theirs},
        categories=CATEGORIES,
    )
