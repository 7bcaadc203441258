"""Signing in (a password for staff, an e-mailed link for teachers) and signing out."""

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from web.pages.common import CheckedFormDep, home, local_path, see_other
from web.platform import Platform, PlatformError, SignInAgain, TooMany
from web.rendering import NO_STORE, render
from web.visitors import VisitorDep
from web.words import N_

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
# A sign-in link's page: its token must not leak through the Referer or a cache.
LINK_PAGE_HEADERS = NO_STORE | {"Referrer-Policy": "no-referrer"}
MAX_EMAIL = 320


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _email_problem(email: str) -> str | None:
    if not email:
        return N_("Write your e-mail address.")
    if len(email) > MAX_EMAIL or "@" not in email.strip("@") or " " in email:
        return N_("Write the whole e-mail address, e.g. name@school.se.")
    return None


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(
    request: Request,
    visitor: VisitorDep,
    token: Annotated[str | None, Query(max_length=200)] = None,
    next: Annotated[str, Query(max_length=2000)] = "",
    sent: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    if token:
        # A mail scanner only GETs: the link is spent only by the button's POST.
        return render(request, "public/sign_in_link.html", headers=LINK_PAGE_HEADERS, token=token)
    return render(
        request,
        "public/sign_in.html",
        headers=NO_STORE,
        next=local_path(next, ""),
        sent=sent,
        values={},
        problems={},
    )


def _again(
    request: Request, values: dict[str, str], problems: dict[str, str], next: str
) -> HTMLResponse:
    return render(
        request,
        "public/sign_in.html",
        status_code=422,
        headers=NO_STORE,
        next=next,
        sent=False,
        values=values,
        problems=problems,
    )


@router.post("/sign-in/password", response_class=HTMLResponse)
async def sign_in_with_password(
    request: Request, visitor: VisitorDep, form: CheckedFormDep
) -> Response:
    email, password = form.get("email", "").strip(), form.get("password", "")
    next = local_path(form.get("next"), "")
    problems = {}
    if problem := _email_problem(email):
        problems["email"] = problem
    if not password:
        problems["password"] = N_("Write your password.")
    if not problems:
        try:
            tokens = await _platform(request).sign_in_with_password(
                email, password, visitor.address or ""
            )
        except SignInAgain:
            problems["password"] = N_("The e-mail address or the password is wrong.")
        except TooMany:
            problems["email"] = N_("Too many attempts. Wait a minute and try again.")
        else:
            visitor.signed_in_as(tokens)
            return see_other(next or home(visitor))
    return _again(request, {"email": email}, problems, next)


@router.post("/sign-in/link", response_class=HTMLResponse)
async def ask_for_a_link(request: Request, visitor: VisitorDep, form: CheckedFormDep) -> Response:
    email = form.get("link_email", "").strip()
    if problem := _email_problem(email):
        return _again(request, {"link_email": email}, {"link_email": problem}, "")
    try:
        await _platform(request).send_sign_in_link(email, visitor.address or "")
    except TooMany:
        problems = {"link_email": N_("Too many attempts. Wait a minute and try again.")}
        return _again(request, {"link_email": email}, problems, "")
    return see_other("/sign-in?sent=true")


@router.post("/sign-in/redeem", response_class=HTMLResponse)
async def redeem_the_link(request: Request, visitor: VisitorDep, form: CheckedFormDep) -> Response:
    token = form.get("token", "")
    try:
        tokens = await _platform(request).redeem_sign_in_link(token, visitor.address or "")
    except (SignInAgain, TooMany):
        return render(
            request,
            "public/sign_in_link.html",
            status_code=401,
            headers=LINK_PAGE_HEADERS,
            token=None,
        )
    visitor.signed_in_as(tokens)
    # 303 to a page without the token: it stays neither in the address bar nor in history.
    return see_other(home(visitor))


@router.post("/sign-out")
async def sign_out(request: Request, visitor: VisitorDep, form: CheckedFormDep) -> Response:
    if visitor.refresh_token:
        try:
            await _platform(request).sign_out(visitor.refresh_token, visitor.address)
        except PlatformError as error:
            # The cookies go either way; the token would only run out on its own.
            log.warning("could not revoke a session at sign-out: %s", error)
    visitor.signed_out()
    return see_other("/")
