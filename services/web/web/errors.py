"""Error pages in the reader's language: not found, not allowed, a service down, our fault.
Never a stack trace, never another role's data."""

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from kulturbro_runtime.client_address import CLIENT_ADDRESS_HEADER
from web import csrf
from web.i18n import LANGUAGE_COOKIE, negotiate
from web.pages.common import CsrfRefused, NotForYou, NotSignedIn, here, see_other, sign_in_url
from web.platform import NotFound, PlatformError, ServiceDown, SignInAgain
from web.rendering import NO_STORE, render
from web.visitors import Visitor

log = logging.getLogger(__name__)


def _with_a_reader(request: Request) -> None:
    """Errors raised before the page knew its reader (an unknown path) still speak their
    language; no session is looked up for them."""
    if getattr(request.state, "visitor", None) is None:
        request.state.visitor = Visitor(
            language=negotiate(
                request.cookies.get(LANGUAGE_COOKIE), None, request.headers.get("Accept-Language")
            ),
            signed_in=None,
            refresh_token=None,
            address=request.headers.get(CLIENT_ADDRESS_HEADER),
            secret=request.app.state.runtime.secret,
            csrf_cookie=request.cookies.get(csrf.CSRF_COOKIE),
        )


def error_page(request: Request, status: int) -> Response:
    _with_a_reader(request)
    return render(request, "errors/error.html", status_code=status, headers=NO_STORE, status=status)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return error_page(request, error.status_code)


async def _not_found(request: Request, _: Exception) -> Response:
    return error_page(request, 404)


async def _csrf_refused(request: Request, _: Exception) -> Response:
    return error_page(request, 403)


async def _sign_in_first(request: Request, error: Exception) -> Response:
    back_to = error.back_to if isinstance(error, NotSignedIn) else here(request)
    visitor: Visitor | None = getattr(request.state, "visitor", None)
    if visitor is not None and isinstance(error, SignInAgain):
        visitor.signed_out()
    # After a form post, come back to the page that had the form.
    if request.method != "GET":
        back_to = request.headers.get("Referer", "/")
    return see_other(sign_in_url(back_to if back_to.startswith("/") else "/"))


async def _service_down(request: Request, error: Exception) -> Response:
    log.warning("a service is down for %s: %s", request.url.path, error)
    return error_page(request, 503)


async def _platform_refused(request: Request, error: Exception) -> Response:
    # A refusal no page expected (each page handles the ones it does): our fault, not theirs.
    log.error("the platform refused %s %s: %s", request.method, request.url.path, error)
    return error_page(request, 500)


async def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_page(request, 500)


def install_error_pages(app: FastAPI) -> None:
    handlers: dict[type[Exception], Callable[[Request, Exception], Awaitable[Response]]] = {
        HTTPException: _http_error,
        RequestValidationError: _not_found,
        NotFound: _not_found,
        NotForYou: _not_found,
        CsrfRefused: _csrf_refused,
        NotSignedIn: _sign_in_first,
        SignInAgain: _sign_in_first,
        ServiceDown: _service_down,
        PlatformError: _platform_refused,
        Exception: _unexpected,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)
