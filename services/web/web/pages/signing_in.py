"""Signing in (a password for staff, an e-mailed link for teachers, the municipality's own
identity provider where one is configured) and signing out."""

import logging
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web import oidc
from web.oidc import CALLBACK_PATH, FLOW_COOKIE, FLOW_SECONDS, PendingFlows, Problem, Provider
from web.pages.common import CheckedFormDep, home, local_path, see_other
from web.platform import (
    Forbidden,
    NotFound,
    Platform,
    PlatformError,
    SignInAgain,
    TokenPair,
    TooMany,
)
from web.rendering import NO_STORE, render
from web.visitors import Visitor, VisitorDep
from web.words import N_

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
# A sign-in link's page: its token must not leak through the Referer or a cache.
LINK_PAGE_HEADERS = NO_STORE | {"Referrer-Policy": "no-referrer"}
MAX_EMAIL = 320
START_PATH = "/sign-in/oidc"


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _email_problem(email: str) -> str | None:
    if not email:
        return N_("Write your e-mail address.")
    if len(email) > MAX_EMAIL or "@" not in email.strip("@") or " " in email:
        return N_("Write the whole e-mail address, e.g. name@school.se.")
    return None


def _signed_in(visitor: Visitor, tokens: TokenPair, next: str) -> Response:
    """Every way of signing in ends here: the session's cookies, then where the reader was
    going, else their role's first page."""
    visitor.signed_in_as(tokens)
    return see_other(next or home(visitor))


def _sign_in_page(
    request: Request,
    next: str,
    status_code: int = 200,
    sent: bool = False,
    values: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    failed: Problem | None = None,
) -> HTMLResponse:
    provider: Provider | None = request.app.state.identity_provider
    return render(
        request,
        "public/sign_in.html",
        status_code=status_code,
        headers=NO_STORE,
        next=next,
        sent=sent,
        values=values or {},
        problems=problems or {},
        provider_name=provider.name if provider else None,
        provider_url=START_PATH + (f"?{urlencode({'next': next})}" if next else ""),
        failed=failed,
    )


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(
    request: Request,
    visitor: VisitorDep,
    token: Annotated[str | None, Query(max_length=200)] = None,
    next: Annotated[str, Query(max_length=2000)] = "",
    sent: Annotated[bool, Query()] = False,
    failed: Annotated[Problem | None, Query()] = None,
) -> HTMLResponse:
    if token:
        # A mail scanner only GETs: the link is spent only by the button's POST.
        return render(request, "public/sign_in_link.html", headers=LINK_PAGE_HEADERS, token=token)
    next = local_path(next, "")
    if failed is not None and request.app.state.identity_provider is not None:
        return _sign_in_page(request, next, oidc.STATUS[failed], failed=failed)
    return _sign_in_page(request, next, sent=sent)


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
            return _signed_in(visitor, tokens, next)
    return _sign_in_page(request, next, 422, values={"email": email}, problems=problems)


@router.post("/sign-in/link", response_class=HTMLResponse)
async def ask_for_a_link(request: Request, visitor: VisitorDep, form: CheckedFormDep) -> Response:
    email = form.get("link_email", "").strip()
    problems = {}
    if problem := _email_problem(email):
        problems["link_email"] = problem
    else:
        try:
            await _platform(request).send_sign_in_link(email, visitor.address or "")
        except TooMany:
            problems["link_email"] = N_("Too many attempts. Wait a minute and try again.")
        else:
            return see_other("/sign-in?sent=true")
    return _sign_in_page(request, "", 422, values={"link_email": email}, problems=problems)


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
    # 303 to a page without the token: it stays neither in the address bar nor in history.
    return _signed_in(visitor, tokens, "")


def _identity_provider(request: Request) -> Provider:
    provider: Provider | None = request.app.state.identity_provider
    if provider is None:
        raise HTTPException(404, "no identity provider is configured here")
    return provider


def _flows(request: Request) -> PendingFlows:
    flows: PendingFlows = request.app.state.pending_flows
    return flows


@router.get(START_PATH)
async def sign_in_at_the_provider(
    request: Request, next: Annotated[str, Query(max_length=2000)] = ""
) -> Response:
    """A link, not a form: the content security policy lets forms post only to this site."""
    provider = _identity_provider(request)
    pending = oidc.begin(local_path(next, ""))
    browser_key = await _flows(request).keep(pending)
    response = RedirectResponse(oidc.authorization_url(provider, pending), status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        browser_key,
        max_age=FLOW_SECONDS,
        path=START_PATH,
        secure=request.app.state.settings.secure_cookies,
        httponly=True,
        # Lax: the provider sends the reader back with a top-level GET, which carries it.
        samesite="lax",
    )
    return response


@router.get(CALLBACK_PATH)
async def back_from_the_provider(request: Request, visitor: VisitorDep) -> Response:
    provider = _identity_provider(request)
    pending = await _flows(request).take(request.cookies.get(FLOW_COOKIE))
    try:
        pending, code = oidc.code_from(pending, request.query_params)
        id_token = await oidc.exchange(request.app.state.provider_client, provider, pending, code)
        tokens = await _platform(request).sign_in_with_identity_provider(
            id_token, visitor.address or ""
        )
        response = _signed_in(visitor, tokens, pending.next)
    except oidc.SignInFailed as failed:
        log.info("a sign-in at %s failed: %s", provider.name, failed)
        response = _failed(pending, failed.problem)
    except Forbidden as refused:
        log.info("a sign-in at %s found no account: %s", provider.name, refused)
        response = _failed(pending, Problem.NO_ACCOUNT)
    except (SignInAgain, NotFound) as refused:
        # The gateway did not trust the provider's token, or knows no provider: not the reader's
        # doing, so it is logged for whoever set the two up.
        log.error("the gateway refused %s's id_token: %s", provider.name, refused)
        response = _failed(pending, Problem.REFUSED)
    response.delete_cookie(
        FLOW_COOKIE,
        path=START_PATH,
        secure=request.app.state.settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )
    return response


def _failed(pending: oidc.Pending | None, problem: Problem) -> Response:
    """To the sign-in page saying what happened: its address is clean of the provider's answer,
    and it can be reloaded or switched to another language."""
    next = pending.next if pending else ""
    return see_other(
        "/sign-in?" + urlencode({"failed": problem.value} | ({"next": next} if next else {}))
    )


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
