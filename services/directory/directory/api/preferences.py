"""A teacher's language and invitations over HTTP: signed in, or through the link in a mail.

The link (RFC 8058) works without signing in: its signed token names the teacher. Opening it
(GET) only shows the choice, since mail scanners open links; a POST to it makes the choice.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from directory import preferences
from directory.preferences import (
    LanguageNotOffered,
    Preferences,
    PreferencesChange,
    UnknownTeacher,
)
from directory.unsubscribe_pages import CHOICES, choice_page, done_page
from kulturbro_contracts.vocabulary import InvitationPreference
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow, public
from kulturbro_runtime.mail_links import (
    UNSUBSCRIBE,
    UNSUBSCRIBE_PATH,
    InvalidMailLink,
    MailLink,
    read_mail_link,
)

router = APIRouter(tags=["preferences"])


@contextmanager
def _teacher_known(missing: str) -> Iterator[None]:
    try:
        yield
    except UnknownTeacher as error:
        raise HTTPException(404, missing) from error


def _not_in_directory(municipality_id: str | None) -> str:
    return (
        f"you are not in the directory of {municipality_id}; its administrator adds teachers "
        "by importing them"
    )


@router.get("/me/preferences", response_model=Preferences, **allow(Role.TEACHER))
async def my_preferences(caller: MunicipalCallerDep, runtime: RuntimeDep) -> Preferences:
    with _teacher_known(_not_in_directory(caller.municipality_id)):
        async with runtime.database.sessions() as session:
            return await preferences.read(session, str(caller.municipality_id), caller.subject)


@router.patch("/me/preferences", response_model=Preferences, **allow(Role.TEACHER))
async def change_my_preferences(
    body: PreferencesChange, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> Preferences:
    """Choose the language Kulturbro speaks to you and how invitations reach you: immediate,
    weekly_digest or none."""
    try:
        with _teacher_known(_not_in_directory(caller.municipality_id)):
            async with runtime.unit_of_work() as uow:
                return await preferences.change(
                    uow, str(caller.municipality_id), caller.subject, body
                )
    except LanguageNotOffered as error:
        raise HTTPException(422, f"language: {error}") from error


def _unsubscribe_link(
    token: Annotated[
        str, Query(min_length=1, max_length=1000, description="the signed token from the mail")
    ],
    runtime: RuntimeDep,
) -> MailLink:
    try:
        # Ours are ASCII; comparing other text with the signature would fail, not refuse.
        if not token.isascii():
            raise InvalidMailLink("the link is not readable: use the link from the mail")
        return read_mail_link(token, UNSUBSCRIBE, runtime.secret)
    except InvalidMailLink as error:
        raise HTTPException(400, str(error)) from error


UnsubscribeLinkDep = Annotated[MailLink, Depends(_unsubscribe_link)]
GONE = "the teacher this link was made for is no longer in the directory; nothing to unsubscribe"


class Unsubscribed(BaseModel):
    invitations: InvitationPreference


@router.get(UNSUBSCRIBE_PATH, response_class=HTMLResponse, **public())
async def unsubscribe_page(link: UnsubscribeLinkDep, runtime: RuntimeDep) -> HTMLResponse:
    """The page behind the link in a mail: stop invitations or get a weekly summary instead."""
    with _teacher_known(GONE):
        async with runtime.database.sessions() as session:
            teacher = await preferences.find(session, link.municipality_id, link.subject_id)
    return HTMLResponse(choice_page(teacher.language))


@router.post(
    UNSUBSCRIBE_PATH,
    response_model=Unsubscribed,
    responses={200: {"content": {"text/html": {}}}},
    **public(),
)
async def unsubscribe(link: UnsubscribeLinkDep, request: Request, runtime: RuntimeDep) -> Response:
    """A mail program's one-click unsubscribe (`List-Unsubscribe=One-Click`) stops invitations;
    the page's form chooses `invitations=weekly_digest` or `none`. A browser (Accept: text/html)
    gets a page saying what was done, anything else JSON; repeating it changes nothing."""
    chosen = _chosen(request.headers.get("content-type", ""), await request.body())
    with _teacher_known(GONE):
        async with runtime.unit_of_work() as uow:
            now = await preferences.change(
                uow, link.municipality_id, link.subject_id, PreferencesChange(invitations=chosen)
            )
    if "text/html" in request.headers.get("accept", ""):
        return HTMLResponse(done_page(now.language, chosen))
    return JSONResponse(Unsubscribed(invitations=chosen).model_dump(mode="json"))


def _chosen(content_type: str, body: bytes) -> InvitationPreference:
    """Only the page's form names a choice. Any other body, the one-click one included, means
    what the signed link means: no more invitations. RFC 8058 lets mail programs send that body
    as multipart/form-data too, which need not be parsed for it."""
    if not content_type.lower().startswith("application/x-www-form-urlencoded"):
        return InvitationPreference.NONE
    named = parse_qs(body.decode("utf-8", "replace")).get("invitations")
    if named is None:
        return InvitationPreference.NONE
    choice = next((c for c in CHOICES if named == [c.value]), None)
    if choice is None:
        raise HTTPException(
            400,
            f"invitations: {', '.join(named)!r} is not a choice here; send weekly_digest or none "
            "(to get invitations at once again, sign in and change your preferences)",
        )
    return choice
