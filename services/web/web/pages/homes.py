"""Each role's own start page once signed in: who they are and where to go from here."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kulturbro_runtime import Role
from web.pages.common import signed_in_as
from web.platform import Platform
from web.rendering import render
from web.visitors import Visitor, VisitorDep

router = APIRouter(include_in_schema=False)


async def _home(request: Request, visitor: Visitor, role: Role, template: str) -> HTMLResponse:
    signed_in_as(visitor, request, role)
    assert visitor.signed_in is not None
    platform: Platform = request.app.state.platform
    me = await platform.me(visitor.signed_in.access_token)
    return render(request, template, me=me)


@router.get("/teacher", response_class=HTMLResponse)
async def teacher_home(request: Request, visitor: VisitorDep) -> HTMLResponse:
    return await _home(request, visitor, Role.TEACHER, "teacher/home.html")


@router.get("/organizer", response_class=HTMLResponse)
async def organizer_home(request: Request, visitor: VisitorDep) -> HTMLResponse:
    return await _home(request, visitor, Role.ORGANIZER, "organizer/home.html")


@router.get("/office", response_class=HTMLResponse)
async def office_home(request: Request, visitor: VisitorDep) -> HTMLResponse:
    return await _home(request, visitor, Role.ADMINISTRATOR, "office/home.html")


@router.get("/analyst", response_class=HTMLResponse)
async def analyst_home(request: Request, visitor: VisitorDep) -> HTMLResponse:
    return await _home(request, visitor, Role.ANALYST, "analyst/home.html")


@router.get("/operator", response_class=HTMLResponse)
async def operator_home(request: Request, visitor: VisitorDep) -> HTMLResponse:
    return await _home(request, visitor, Role.OPERATOR, "office/operator.html")
