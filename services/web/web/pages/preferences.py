"""A teacher's own choices: the language Kulturbro speaks to her, how invitations reach her, and
her data: a copy of all Kulturbro holds about her, and asking for it to be deleted."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kulturbro_contracts.vocabulary import InvitationPreference, Language
from kulturbro_runtime import Role
from web.pages.common import CheckedFormDep, see_other, signed_in_as
from web.platform import Municipality, NotFound, Platform, Preferences, Refused
from web.rendering import NO_STORE, render
from web.sessions import SignedIn
from web.visitors import Visitor, VisitorDep, forget_stored_language
from web.words import N_

router = APIRouter(include_in_schema=False)
MAX_REASON = 2000
INVITATIONS = {
    InvitationPreference.IMMEDIATE: N_("A mail for each event my groups are invited to"),
    InvitationPreference.WEEKLY_DIGEST: N_("One mail a week with the new events"),
    InvitationPreference.NONE: N_("No invitations; I look for events here myself"),
}


def _teacher(request: Request, visitor: Visitor) -> SignedIn:
    signed_in_as(visitor, request, Role.TEACHER)
    assert visitor.signed_in is not None
    return visitor.signed_in


async def _page(
    request: Request,
    teacher: SignedIn,
    values: dict[str, str],
    problems: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    platform: Platform = request.app.state.platform
    if teacher.municipality_id is None:
        raise NotFound("a teacher without a municipality")
    visitor: Visitor = request.state.visitor
    municipality: Municipality = await platform.public_municipality(
        teacher.municipality_id, visitor.address
    )
    return render(
        request,
        "teacher/preferences.html",
        status_code=status_code,
        headers=NO_STORE,
        offered=municipality.languages,
        invitations=INVITATIONS,
        values=values,
        problems=problems,
        saved=request.query_params.get("saved") == "1",
        deletion_asked=request.query_params.get("deletion") == "asked",
        max_reason=MAX_REASON,
    )


def _as_values(preferences: Preferences) -> dict[str, str]:
    invitations = preferences.invitations or InvitationPreference.IMMEDIATE
    return {"language": preferences.language.value, "invitations": invitations.value}


@router.get("/teacher/preferences", response_class=HTMLResponse)
async def preferences_page(request: Request, visitor: VisitorDep) -> HTMLResponse:
    teacher = _teacher(request, visitor)
    platform: Platform = request.app.state.platform
    found = await platform.my_preferences(teacher.access_token)
    return await _page(request, teacher, _as_values(found), {})


@router.post("/teacher/preferences", response_class=HTMLResponse)
async def change_preferences(
    request: Request, visitor: VisitorDep, fields: CheckedFormDep
) -> Response:
    teacher = _teacher(request, visitor)
    values = {name: fields.get(name, "") for name in ("language", "invitations")}
    problems = {}
    language = next((lang for lang in Language if lang.value == values["language"]), None)
    invitations = next((i for i in InvitationPreference if i.value == values["invitations"]), None)
    if language is None:
        problems["language"] = N_("Choose one of the languages.")
    if invitations is None:
        problems["invitations"] = N_("Choose how invitations reach you.")
    if language is not None and invitations is not None:
        platform: Platform = request.app.state.platform
        try:
            await platform.change_my_preferences(teacher.access_token, language, invitations)
        except Refused:
            # The municipality does not offer that language (the page offers only those it does).
            problems["language"] = N_("Choose one of the languages.")
        else:
            await forget_stored_language(request, teacher.access_token)
            return see_other("/teacher/preferences?saved=1")
    return await _page(request, teacher, values, problems, status_code=422)


@router.get("/teacher/my-data.json")
async def my_data(request: Request, visitor: VisitorDep) -> Response:
    """Everything Kulturbro holds about her, as the platform gathers it from every service."""
    teacher = _teacher(request, visitor)
    platform: Platform = request.app.state.platform
    found = await platform.download(teacher.access_token, "/me/data", {})
    disposition = 'attachment; filename="kulturbro-my-data.json"'
    return Response(
        found.body,
        media_type="application/json",
        headers=NO_STORE | {"Content-Disposition": disposition},
    )


@router.post("/teacher/deletion-request")
async def ask_for_deletion(
    request: Request, visitor: VisitorDep, fields: CheckedFormDep
) -> Response:
    """Her municipality's culture office sees the request and answers her."""
    teacher = _teacher(request, visitor)
    platform: Platform = request.app.state.platform
    reason = fields.get("reason", "").strip()[:MAX_REASON]
    await platform.ask_for_deletion(teacher.access_token, reason)
    return see_other("/teacher/preferences?deletion=asked#my-data")
