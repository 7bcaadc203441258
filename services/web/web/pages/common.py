"""What many pages need: a redirect, a local `next`, a checked form, a signed-in reader."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from kulturbro_runtime import Role
from web import csrf
from web.visitors import Visitor, VisitorDep
from web.words import home_of


class CsrfRefused(Exception):
    """A form posted without the token of one of our own pages."""


class NotSignedIn(Exception):
    """The page needs a session; the reader signs in and comes back."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


class NotForYou(Exception):
    """Another role's page: shown as not found, never with any of its data."""


def see_other(url: str) -> RedirectResponse:
    """After a form, to the page that shows its result (POST/redirect/GET)."""
    return RedirectResponse(url, status_code=303)


def local_path(next_url: str | None, fallback: str = "/") -> str:
    """Only a path on this site: a sign-in never sends the reader to someone else's."""
    if (
        not next_url
        or not next_url.startswith("/")
        or next_url.startswith(("//", "/\\"))
        or any(c in next_url for c in "\r\n\t")
    ):
        return fallback
    return next_url


def sign_in_url(back_to: str) -> str:
    return "/sign-in?" + urlencode({"next": back_to})


def here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


async def _checked_form(request: Request, visitor: VisitorDep) -> dict[str, str]:
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    if not csrf.is_valid(visitor.csrf_cookie, fields.get(csrf.CSRF_FIELD), visitor.secret):
        raise CsrfRefused
    return fields


CheckedFormDep = Annotated[dict[str, str], Depends(_checked_form)]


def signed_in_as(visitor: Visitor, request: Request, *roles: Role) -> None:
    """Refuses a reader who is not signed in (to sign in and back) or has another role."""
    if visitor.signed_in is None:
        raise NotSignedIn(here(request))
    if visitor.signed_in.role not in roles:
        raise NotForYou


def home(visitor: Visitor) -> str:
    return home_of(visitor.signed_in.role) if visitor.signed_in else "/"
