"""The organizer's pages: their events in every status; drafting, editing, copying and publishing
one with its occurrences; cancelling an occurrence or the whole event; who comes to each
occurrence, also as CSV and XLSX."""

import asyncio
import math
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from kulturbro_runtime import Role
from web import event_form, participant_lists
from web.attendance_form import AttendanceForm, came_field, pupils_field, read_attendance_form
from web.attendance_form import form_of as attendance_form_of
from web.event_form import EventForm
from web.i18n import translations
from web.pages.common import CheckedFormDep, see_other, signed_in_as
from web.platform import (
    Conflict,
    EventStatus,
    NotFound,
    OwnEvent,
    OwnOccurrence,
    Participant,
    Platform,
    Refused,
)
from web.rendering import NO_STORE, in_language, render
from web.sessions import SignedIn
from web.visitors import Visitor, VisitorDep
from web.words import CATEGORIES, N_, TARGET_GROUPS

router = APIRouter(include_in_schema=False)
MAX_REASON = 500
MAX_PAGE = 10_000
NOT_BEGUN = N_(
    "Nothing was recorded: the visit has not begun, or the group's seats were cancelled."
)
FILE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _organizer(request: Request, visitor: Visitor) -> SignedIn:
    signed_in_as(visitor, request, Role.ORGANIZER)
    assert visitor.signed_in is not None
    return visitor.signed_in


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def _zone(request: Request, signed_in: SignedIn) -> tuple[ZoneInfo, list[str]]:
    """The municipality's time zone (the form's times are its local times) and districts."""
    if signed_in.municipality_id is None:
        raise NotFound("an organizer without a municipality")
    # The reader's address: the gateway counts an unsigned-in call against it, not the web's.
    address = request.state.visitor.address
    found = await _platform(request).public_municipality(signed_in.municipality_id, address)
    return ZoneInfo(found.time_zone), found.districts


def _event_id(event_id: str) -> UUID:
    try:
        return UUID(event_id)
    except ValueError as error:
        raise NotFound(f"{event_id!r} is not an event id") from error


def _page_asked(request: Request, status: EventStatus) -> int:
    asked = request.query_params.get(status.value, "1")
    return int(asked) if asked.isdigit() and 1 <= int(asked) <= MAX_PAGE else 1


@router.get("/organizer/events", response_class=HTMLResponse)
async def my_events(request: Request, visitor: VisitorDep) -> HTMLResponse:
    """The organizer's events, a page of each status (?draft=2&published=3 for later pages)."""
    signed_in = _organizer(request, visitor)
    platform, token = _platform(request), signed_in.access_token
    pages, (zone, _) = await asyncio.gather(
        asyncio.gather(
            *(platform.my_events(token, s, _page_asked(request, s)) for s in EventStatus)
        ),
        _zone(request, signed_in),
    )
    by_status = dict(zip(EventStatus, pages, strict=True))

    def page_url(status: EventStatus) -> Callable[[int], str]:
        def url(number: int) -> str:
            kept = {s.value: str(p.page) for s, p in by_status.items() if p.page > 1}
            return f"/organizer/events?{urlencode(kept | {status.value: str(number)})}"

        return url

    return render(
        request,
        "organizer/events.html",
        by_status=by_status,
        pages_of={s: math.ceil(p.total / p.page_size) for s, p in by_status.items()},
        page_url=page_url,
        time_zone=zone.key,
        Status=EventStatus,
        deleted=request.query_params.get("deleted") == "1",
    )


def _form_page(
    request: Request,
    form: EventForm,
    *,
    districts: list[str],
    event: OwnEvent | None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "organizer/event_form.html",
        status_code=status_code,
        headers=NO_STORE,
        form=form,
        event=event,
        districts=districts,
        target_groups=TARGET_GROUPS,
        categories=CATEGORIES,
        row_id=event_form.row_id,
        features=event_form.VENUE_FEATURES,
        Status=EventStatus,
    )


@router.get("/organizer/events/new", response_class=HTMLResponse)
async def new_event(
    request: Request,
    visitor: VisitorDep,
    copy: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    """An empty form, or one filled from an event to copy (its occurrences too)."""
    signed_in = _organizer(request, visitor)
    zone, districts = await _zone(request, signed_in)
    form = event_form.blank(visitor.language)
    if copy:
        original = await _platform(request).my_event(signed_in.access_token, _event_id(copy))
        form = event_form.from_event(original, zone, with_occurrences=True)
        form.rows.append(event_form.blank(visitor.language).rows[0])
    return _form_page(request, form, districts=districts, event=None)


@router.post("/organizer/events/new", response_class=HTMLResponse)
async def create_event(request: Request, visitor: VisitorDep, checked: CheckedFormDep) -> Response:
    signed_in = _organizer(request, visitor)
    zone, districts = await _zone(request, signed_in)
    posted = (await request.form()).multi_items()
    fields = [(key, value) for key, value in posted if isinstance(value, str)]
    adding = checked.get("action") == "add_row"
    form = event_form.read(fields, with_rows=True, add_row=adding, language=visitor.language)
    if adding:
        return _form_page(request, form, districts=districts, event=None)
    body = event_form.details_body(form, zone) | {
        "occurrences": event_form.occurrence_bodies(form, zone)
    }
    if not form.problems:
        try:
            created = await _platform(request).draft_event(signed_in.access_token, body)
        except Refused as refusal:
            event_form.refused(form, refusal.problems)
        else:
            return see_other(f"/organizer/events/{created.id}")
    return _form_page(request, form, districts=districts, event=None, status_code=422)


@router.get("/organizer/events/{event_id}", response_class=HTMLResponse)
async def one_event(request: Request, visitor: VisitorDep, event_id: str) -> HTMLResponse:
    signed_in = _organizer(request, visitor)
    event = await _platform(request).my_event(signed_in.access_token, _event_id(event_id))
    zone, _ = await _zone(request, signed_in)
    return render(
        request,
        "organizer/event.html",
        headers=NO_STORE,
        event=event,
        time_zone=zone.key,
        Status=EventStatus,
        done=request.query_params.get("done", ""),
        row_id=event_form.row_id,
    )


@router.get("/organizer/events/{event_id}/edit", response_class=HTMLResponse)
async def edit_event(request: Request, visitor: VisitorDep, event_id: str) -> HTMLResponse:
    signed_in = _organizer(request, visitor)
    event = await _platform(request).my_event(signed_in.access_token, _event_id(event_id))
    zone, districts = await _zone(request, signed_in)
    form = event_form.from_event(event, zone, with_occurrences=False)
    return _form_page(request, form, districts=districts, event=event)


@router.post("/organizer/events/{event_id}/edit", response_class=HTMLResponse)
async def save_event(
    request: Request, visitor: VisitorDep, checked: CheckedFormDep, event_id: str
) -> Response:
    """Saves the details; "save and publish" publishes the draft too, or shows why it cannot."""
    signed_in = _organizer(request, visitor)
    platform, token = _platform(request), signed_in.access_token
    event = await platform.my_event(token, _event_id(event_id))
    zone, districts = await _zone(request, signed_in)
    posted = (await request.form()).multi_items()
    fields = [(key, value) for key, value in posted if isinstance(value, str)]
    form = event_form.read(fields, with_rows=False, add_row=False, language=visitor.language)
    body = event_form.details_body(form, zone)
    if not form.problems:
        try:
            event = await platform.revise_event(token, event.id, body)
            if checked.get("action") == "publish":
                event = await platform.publish_event(token, event.id)
                return see_other(f"/organizer/events/{event.id}?done=published")
        except Refused as refusal:
            event_form.refused(form, refusal.problems)
        except Conflict:
            form.problems["title_sv"] = N_("The event can no longer be changed: it is cancelled.")
        else:
            return see_other(f"/organizer/events/{event.id}?done=saved")
    return _form_page(request, form, districts=districts, event=event, status_code=422)


@router.post("/organizer/events/{event_id}/publish", response_class=HTMLResponse)
async def publish_event(
    request: Request, visitor: VisitorDep, checked: CheckedFormDep, event_id: str
) -> Response:
    """Publishing from the event's page; a refusal opens the form with it beside its field."""
    signed_in = _organizer(request, visitor)
    platform, token = _platform(request), signed_in.access_token
    event = await platform.my_event(token, _event_id(event_id))
    try:
        await platform.publish_event(token, event.id)
    except Refused as refusal:
        zone, districts = await _zone(request, signed_in)
        form = event_form.from_event(event, zone, with_occurrences=False)
        event_form.refused(form, refusal.problems)
        return _form_page(request, form, districts=districts, event=event, status_code=422)
    except Conflict:
        return see_other(f"/organizer/events/{event.id}")
    return see_other(f"/organizer/events/{event.id}?done=published")


@router.post("/organizer/events/{event_id}/occurrences", response_class=HTMLResponse)
async def add_occurrence(
    request: Request, visitor: VisitorDep, checked: CheckedFormDep, event_id: str
) -> Response:
    signed_in = _organizer(request, visitor)
    platform, token = _platform(request), signed_in.access_token
    event = await platform.my_event(token, _event_id(event_id))
    zone, _ = await _zone(request, signed_in)
    fields = [(key, value) for key, value in checked.items()]
    form = event_form.read(fields, with_rows=True, add_row=False, language=visitor.language)
    form.rows = form.rows[:1]
    bodies = event_form.occurrence_bodies(form, zone)
    if not form.problems and bodies:
        try:
            await platform.add_occurrence(token, event.id, bodies[0])
        except Refused as refusal:
            event_form.refused(form, refusal.problems)
        except Conflict:
            form.problems[event_form.row_id(0, "date")] = N_(
                "The event is cancelled: no occurrences can be added."
            )
        else:
            return see_other(f"/organizer/events/{event.id}?done=added")
    elif not bodies and not form.problems:
        form.problems[event_form.row_id(0, "date")] = event_form.REFUSALS["occurrences"]
    return render(
        request,
        "organizer/event.html",
        status_code=422,
        headers=NO_STORE,
        event=event,
        time_zone=zone.key,
        Status=EventStatus,
        done="",
        form=form,
        row_id=event_form.row_id,
    )


def _occurrence_page(
    request: Request,
    event: OwnEvent,
    occurrence: OwnOccurrence,
    form: EventForm,
    zone: ZoneInfo,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "organizer/occurrence.html",
        status_code=status_code,
        headers=NO_STORE,
        event=event,
        occurrence=occurrence,
        form=form,
        time_zone=zone.key,
        row_id=event_form.row_id,
    )


@router.get(
    "/organizer/events/{event_id}/occurrences/{occurrence_id}/edit",
    response_class=HTMLResponse,
)
async def edit_occurrence(
    request: Request, visitor: VisitorDep, event_id: str, occurrence_id: str
) -> HTMLResponse:
    signed_in = _organizer(request, visitor)
    event = await _platform(request).my_event(signed_in.access_token, _event_id(event_id))
    occurrence = _occurrence_of(event, occurrence_id)
    zone, _ = await _zone(request, signed_in)
    form = EventForm(rows=[event_form.row_of(occurrence, zone)])
    return _occurrence_page(request, event, occurrence, form, zone)


@router.post(
    "/organizer/events/{event_id}/occurrences/{occurrence_id}/edit",
    response_class=HTMLResponse,
)
async def change_occurrence(
    request: Request,
    visitor: VisitorDep,
    checked: CheckedFormDep,
    event_id: str,
    occurrence_id: str,
) -> Response:
    """Moves or resizes an occurrence; on a published event the platform tells who booked."""
    signed_in = _organizer(request, visitor)
    platform, token = _platform(request), signed_in.access_token
    event = await platform.my_event(token, _event_id(event_id))
    occurrence = _occurrence_of(event, occurrence_id)
    zone, _ = await _zone(request, signed_in)
    fields = list(checked.items())
    form = event_form.read(fields, with_rows=True, add_row=False, language=visitor.language)
    form.rows = form.rows[:1]
    bodies = event_form.occurrence_bodies(form, zone)
    if not form.problems and bodies:
        try:
            await platform.change_occurrence(token, event.id, occurrence.id, bodies[0])
        except Refused as refusal:
            event_form.refused(form, refusal.problems)
        except Conflict:
            form.problems[event_form.row_id(0, "date")] = N_(
                "The occurrence is cancelled and can no longer be changed."
            )
        else:
            return see_other(f"/organizer/events/{event.id}?done=occurrence_changed")
    elif not form.problems:
        form.problems[event_form.row_id(0, "date")] = event_form.REFUSALS["date"]
    return _occurrence_page(request, event, occurrence, form, zone, status_code=422)


def _reason(checked: dict[str, str]) -> tuple[str, str | None]:
    reason = checked.get("reason", "").strip()
    if len(reason) > MAX_REASON:
        return reason, N_("Use at most 500 characters.")
    return reason, None


@router.get("/organizer/events/{event_id}/cancel", response_class=HTMLResponse)
async def confirm_cancelling(request: Request, visitor: VisitorDep, event_id: str) -> HTMLResponse:
    signed_in = _organizer(request, visitor)
    event = await _platform(request).my_event(signed_in.access_token, _event_id(event_id))
    return render(
        request,
        "organizer/cancel.html",
        headers=NO_STORE,
        event=event,
        occurrence=None,
        time_zone="UTC",
        reason="",
        problem=None,
    )


@router.post("/organizer/events/{event_id}/cancel", response_class=HTMLResponse)
async def cancel_event(
    request: Request, visitor: VisitorDep, checked: CheckedFormDep, event_id: str
) -> Response:
    """Cancels a published event; those who booked are told by the platform."""
    signed_in = _organizer(request, visitor)
    platform, token = _platform(request), signed_in.access_token
    event = await platform.my_event(token, _event_id(event_id))
    reason, problem = _reason(checked)
    if problem is None:
        # Cancelled already, or a draft: the event's page shows which.
        with suppress(Conflict):
            await platform.cancel_event(token, event.id, reason)
        return see_other(f"/organizer/events/{event.id}?done=cancelled")
    return render(
        request,
        "organizer/cancel.html",
        status_code=422,
        headers=NO_STORE,
        event=event,
        occurrence=None,
        time_zone="UTC",
        reason=reason,
        problem=problem,
    )


@router.get("/organizer/events/{event_id}/delete", response_class=HTMLResponse)
async def confirm_deleting(request: Request, visitor: VisitorDep, event_id: str) -> Response:
    signed_in = _organizer(request, visitor)
    event = await _platform(request).my_event(signed_in.access_token, _event_id(event_id))
    if event.status is not EventStatus.DRAFT:
        return see_other(f"/organizer/events/{event.id}")
    return render(request, "organizer/delete.html", headers=NO_STORE, event=event)


@router.post("/organizer/events/{event_id}/delete", response_class=HTMLResponse)
async def delete_draft(
    request: Request, visitor: VisitorDep, checked: CheckedFormDep, event_id: str
) -> Response:
    """Deletes a draft nobody has seen; a published event is cancelled instead."""
    signed_in = _organizer(request, visitor)
    platform, token = _platform(request), signed_in.access_token
    event = await platform.my_event(token, _event_id(event_id))
    try:
        await platform.delete_draft(token, event.id)
    except Conflict:
        # Published meanwhile (in another tab): its page offers to cancel it instead.
        return see_other(f"/organizer/events/{event.id}")
    return see_other("/organizer/events?deleted=1")


def _occurrence_of(event: OwnEvent, occurrence_id: str) -> OwnOccurrence:
    for occurrence in event.occurrences:
        if str(occurrence.id) == occurrence_id:
            return occurrence
    raise NotFound(f"no occurrence {occurrence_id!r} in this event")


@router.get(
    "/organizer/events/{event_id}/occurrences/{occurrence_id}/cancel",
    response_class=HTMLResponse,
)
async def confirm_cancelling_occurrence(
    request: Request, visitor: VisitorDep, event_id: str, occurrence_id: str
) -> HTMLResponse:
    signed_in = _organizer(request, visitor)
    event = await _platform(request).my_event(signed_in.access_token, _event_id(event_id))
    occurrence = _occurrence_of(event, occurrence_id)
    zone, _ = await _zone(request, signed_in)
    return render(
        request,
        "organizer/cancel.html",
        headers=NO_STORE,
        event=event,
        occurrence=occurrence,
        time_zone=zone.key,
        reason="",
        problem=None,
    )


@router.post(
    "/organizer/events/{event_id}/occurrences/{occurrence_id}/cancel",
    response_class=HTMLResponse,
)
async def cancel_occurrence(
    request: Request,
    visitor: VisitorDep,
    checked: CheckedFormDep,
    event_id: str,
    occurrence_id: str,
) -> Response:
    """A published event's occurrence is cancelled (those who booked are told); a draft's goes."""
    signed_in = _organizer(request, visitor)
    platform, token = _platform(request), signed_in.access_token
    event = await platform.my_event(token, _event_id(event_id))
    occurrence = _occurrence_of(event, occurrence_id)
    reason, problem = _reason(checked)
    if problem is None:
        # The event is cancelled, and every occurrence with it.
        with suppress(Conflict):
            await platform.remove_occurrence(token, event.id, occurrence.id, reason)
        return see_other(f"/organizer/events/{event.id}?done=occurrence_cancelled")
    zone, _ = await _zone(request, signed_in)
    return render(
        request,
        "organizer/cancel.html",
        status_code=422,
        headers=NO_STORE,
        event=event,
        occurrence=occurrence,
        time_zone=zone.key,
        reason=reason,
        problem=problem,
    )


async def _participants(
    request: Request, visitor: Visitor, event_id: str
) -> tuple[OwnEvent, dict[UUID, list[Participant]], ZoneInfo]:
    signed_in = _organizer(request, visitor)
    platform, token = _platform(request), signed_in.access_token
    event = await platform.my_event(token, _event_id(event_id))
    lists = await platform.participants(token, event.id)
    zone, _ = await _zone(request, signed_in)
    return event, lists, zone


def _participants_page(
    request: Request,
    event: OwnEvent,
    lists: dict[UUID, list[Participant]],
    zone: ZoneInfo,
    refilled: dict[UUID, AttendanceForm] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    forms = {o.id: attendance_form_of(lists.get(o.id, [])) for o in event.occurrences}
    now = datetime.now(UTC)
    return render(
        request,
        "organizer/participants.html",
        status_code=status_code,
        headers=NO_STORE,
        event=event,
        lists=lists,
        time_zone=zone.key,
        begun={o.id for o in event.occurrences if o.starts_at <= now and not o.cancelled},
        forms=forms | (refilled or {}),
        came_field=came_field,
        pupils_field=pupils_field,
        recorded=request.query_params.get("recorded"),
    )


@router.get("/events/{event_id}/participants", response_class=HTMLResponse)
async def participants(request: Request, visitor: VisitorDep, event_id: str) -> HTMLResponse:
    """Who comes to each occurrence: what the mail to organizers links to; once an occurrence
    has begun, who came."""
    event, lists, zone = await _participants(request, visitor, event_id)
    return _participants_page(request, event, lists, zone)


@router.post("/events/{event_id}/participants/{occurrence_id}/attendance")
async def record_attendance(
    request: Request,
    visitor: VisitorDep,
    checked: CheckedFormDep,
    event_id: str,
    occurrence_id: str,
) -> Response:
    event, lists, zone = await _participants(request, visitor, event_id)
    occurrence = _occurrence_of(event, occurrence_id)
    form = read_attendance_form(checked, lists.get(occurrence.id, []))
    token = _organizer(request, visitor).access_token
    for attended in [] if form.problems else form.attended:
        try:
            await _platform(request).record_attendance(
                token, attended.booking_id, attended.came, attended.pupils_present
            )
        except Refused:
            form.problems[pupils_field(attended.booking_id)] = N_(
                "Write how many pupils came, a number from 1 to 1000."
            )
        except Conflict:
            form.problems[came_field(attended.booking_id)] = NOT_BEGUN
    if form.problems:
        return _participants_page(request, event, lists, zone, {occurrence.id: form}, 422)
    return see_other(
        f"/events/{event.id}/participants?recorded={occurrence.id}#occurrence-{occurrence.id}"
    )


@router.get("/events/{event_id}/participants/{occurrence_id}.{kind}")
async def participant_list_file(
    request: Request, visitor: VisitorDep, event_id: str, occurrence_id: str, kind: str
) -> Response:
    """One occurrence's list as CSV or XLSX, its columns in the reader's language."""
    event, lists, zone = await _participants(request, visitor, event_id)
    occurrence = _occurrence_of(event, occurrence_id)
    if kind not in FILE_TYPES:
        raise NotFound(f"no {kind!r} files")
    words = translations(visitor.language)
    title = in_language(event.title, visitor.language)
    groups = lists.get(occurrence.id, [])
    if kind == "csv":
        content = participant_lists.as_csv(groups, words.gettext)
    else:
        content = participant_lists.as_xlsx(groups, words.gettext, title)
    day = occurrence.starts_at.astimezone(zone).strftime("%Y-%m-%d-%H%M")
    name = f"participants-{day}.{kind}"
    return Response(
        content,
        media_type=FILE_TYPES[kind],
        headers=NO_STORE | {"Content-Disposition": f'attachment; filename="{name}"'},
    )
