"""The culture office's organizers: those in its offering and who publishes for them, a new one
registered, one another municipality works with added, and a person invited to publish for one
(an organizer account, and a sign-in link mailed to it)."""

from typing import Annotated
from uuid import UUID

from email_validator import EmailNotValidError, validate_email
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime import Role
from web.pages.common import CheckedFormDep, see_other, signed_in_as
from web.platform import Conflict, NotFound, Platform, Refused, TooMany
from web.rendering import NO_STORE, render
from web.visitors import Visitor, VisitorDep
from web.words import N_, ORGANIZER_KINDS

router = APIRouter(include_in_schema=False)

MAX_NAME = 200
MAX_WORDS = 200
DONE = {
    "registered": N_("The organizer is registered and in the offering."),
    "added": N_("The organizer is in the offering."),
    "invited": N_("The account is made and a sign-in link is on its way."),
    "invited_later": N_(
        "The account is made, but too many links were asked for just now: the person can ask "
        "for one on the sign-in page."
    ),
}


def _office(request: Request, visitor: Visitor) -> str:
    signed_in_as(visitor, request, Role.ADMINISTRATOR)
    assert visitor.signed_in is not None
    return visitor.signed_in.access_token


def _an_email(text: str) -> str | None:
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


async def _page(
    request: Request,
    visitor: Visitor,
    *,
    words: str = "",
    done: str | None = None,
    values: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    token = _office(request, visitor)
    platform: Platform = request.app.state.platform
    offered = await platform.offered_organizers(token, visitor.address)
    accounts = await platform.staff_accounts(token, Role.ORGANIZER.value, visitor.address)
    people: dict[str, list[str]] = {}
    for account in accounts:
        people.setdefault(account.organizer_id or "", []).append(account.email)
    found = (
        await platform.registered_organizers(token, words, visitor.address)
        if len(words) >= 2
        else None
    )
    return render(
        request,
        "office/organizers.html",
        status_code=status_code,
        headers=NO_STORE,
        offered=offered,
        people=people,
        words=words,
        found=found,
        done=DONE.get(done or ""),
        values=values or {},
        problems=problems or {},
        kinds=ORGANIZER_KINDS,
    )


@router.get("/office/organizers", response_class=HTMLResponse)
async def organizers_page(
    request: Request,
    visitor: VisitorDep,
    q: Annotated[str, Query(max_length=MAX_WORDS)] = "",
    done: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    return await _page(request, visitor, words=q.strip(), done=done)


def _registration(form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    values = {
        "name": form.get("name", "").strip(),
        "kind": form.get("kind", ""),
        "contact_email": form.get("contact_email", "").strip(),
    }
    problems: dict[str, str] = {}
    if not values["name"] or len(values["name"]) > MAX_NAME:
        problems["name"] = N_("Write the organizer's name, at most 200 characters.")
    if values["kind"] not in ORGANIZER_KINDS:
        problems["kind"] = N_("Choose what kind of organizer it is.")
    if _an_email(values["contact_email"]) is None:
        problems["contact_email"] = N_(
            "Write the address bookings are mailed to, e.g. bokning@teatern.se."
        )
    return values, problems


@router.post("/office/organizers", response_class=HTMLResponse)
async def register_organizer(
    request: Request, visitor: VisitorDep, form: CheckedFormDep
) -> Response:
    token = _office(request, visitor)
    values, problems = _registration(form)
    if not problems:
        platform: Platform = request.app.state.platform
        try:
            await platform.register_organizer(
                token, values["name"], values["kind"], values["contact_email"]
            )
        except Refused as refused:
            for problem in refused.problems:
                field = problem.field.split(".")[0]
                problems.setdefault(field if field in values else "name", problem.message)
            problems = problems or {"name": str(refused)}
        else:
            return see_other("/office/organizers?done=registered")
    return await _page(request, visitor, values=values, problems=problems, status_code=422)


@router.post("/office/organizers/{organizer_id}/offering", response_class=HTMLResponse)
async def add_to_offering(
    organizer_id: UUID, request: Request, visitor: VisitorDep, _: CheckedFormDep
) -> Response:
    token = _office(request, visitor)
    platform: Platform = request.app.state.platform
    await platform.add_organizer(token, organizer_id)
    return see_other("/office/organizers?done=added")


def _invitation(form: dict[str, str], offered: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    values = {
        "invite_organizer": form.get("invite_organizer", ""),
        "invite_email": form.get("invite_email", "").strip(),
        "invite_language": form.get("invite_language", ""),
    }
    problems: dict[str, str] = {}
    if values["invite_organizer"] not in offered:
        problems["invite_organizer"] = N_("Choose the organizer the person publishes for.")
    if _an_email(values["invite_email"]) is None:
        problems["invite_email"] = N_("Write the person's e-mail address, e.g. anna@teatern.se.")
    if values["invite_language"] not in {language.value for language in Language}:
        problems["invite_language"] = N_("Choose the language of the person's mails.")
    return values, problems


@router.post("/office/organizers/invitations", response_class=HTMLResponse)
async def invite(request: Request, visitor: VisitorDep, form: CheckedFormDep) -> Response:
    token = _office(request, visitor)
    platform: Platform = request.app.state.platform
    offered = {str(o.id) for o in await platform.offered_organizers(token, visitor.address)}
    values, problems = _invitation(form, offered)
    if not problems:
        email = values["invite_email"]
        try:
            await platform.add_staff_account(
                token, email, Role.ORGANIZER.value, UUID(values["invite_organizer"]),
                Language(values["invite_language"]),
            )  # fmt: skip
        except Conflict:
            problems["invite_email"] = N_(
                "This address has an account already; its owner can ask for a sign-in link."
            )
        except (Refused, NotFound) as refused:
            problems["invite_organizer"] = str(refused)
        else:
            try:
                await platform.send_sign_in_link(email, visitor.address or "")
            except TooMany:
                return see_other("/office/organizers?done=invited_later")
            return see_other("/office/organizers?done=invited")
    return await _page(request, visitor, values=values, problems=problems, status_code=422)
