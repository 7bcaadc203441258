"""A teacher books from an event's page, reads her bookings with their decisions and cancels
one until the event's deadline."""

from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from kulturbro_runtime import Role
from kulturbro_runtime.calendar import booking_calendar, booking_uid
from kulturbro_runtime.localization import DEFAULT_TIME_ZONE
from web.booking_form import (
    REFUSED_WORDS,
    BookingForm,
    choice_names,
    read_booking_form,
    refused_field,
    window_problem,
)
from web.pages.common import CheckedFormDep, see_other, signed_in_as
from web.platform import (
    Booking,
    BookingRequest,
    BookingStatus,
    Conflict,
    EventListing,
    Group,
    NotFound,
    Platform,
    Refused,
    ServiceDown,
)
from web.rendering import NO_STORE, in_language, render
from web.sessions import SignedIn
from web.settings import WebSettings
from web.visitors import Visitor, VisitorDep
from web.words import N_, NO_BUS_REASONS

router = APIRouter(include_in_schema=False)
ACTIVE = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)
STATUS_NAMES = {
    BookingStatus.REQUESTED: N_("Requested, waiting for the decision"),
    BookingStatus.CONFIRMED: N_("Confirmed"),
    BookingStatus.WAITLISTED: N_("On the waiting list"),
    BookingStatus.REJECTED: N_("No seats given"),
    BookingStatus.CANCELLED: N_("The booking is cancelled"),
}
EventId = Annotated[UUID, Path()]


def _teacher(request: Request, visitor: Visitor) -> SignedIn:
    signed_in_as(visitor, request, Role.TEACHER)
    assert visitor.signed_in is not None
    return visitor.signed_in


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def time_zone(platform: Platform, event: EventListing, visitor: Visitor) -> str:
    if event.municipality_id is None:
        return DEFAULT_TIME_ZONE
    municipality = await platform.public_municipality(event.municipality_id, visitor.address)
    return municipality.time_zone


def _suitable(groups: list[Group], event: EventListing) -> list[Group]:
    return [group for group in groups if group.target_group in event.target_groups]


async def _book_page(
    request: Request,
    visitor: Visitor,
    event_id: UUID,
    form: BookingForm | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    teacher = _teacher(request, visitor)
    platform = _platform(request)
    event = await platform.public_event(event_id, visitor.address)
    groups = _suitable(await platform.my_groups(teacher.access_token), event)
    if form is None:
        only = {"group": str(groups[0].id)} if len(groups) == 1 else {}
        form = BookingForm(values={"adults": str(event.adults_per_group)} | only)
    return render(
        request,
        "teacher/book.html",
        status_code=status_code,
        headers=NO_STORE,
        event=event,
        groups=groups,
        form=form,
        choices=choice_names(event),
        closed=window_problem(event, datetime.now(UTC)),
        time_zone=await time_zone(platform, event, visitor),
    )


@router.get("/events/{event_id}/book", response_class=HTMLResponse)
async def booking_form(request: Request, visitor: VisitorDep, event_id: EventId) -> HTMLResponse:
    return await _book_page(request, visitor, event_id)


def _refusal_on_the_form(form: BookingForm, error: Refused | Conflict | NotFound) -> None:
    """The booking service's refusal, beside the field it concerns, in the reader's words."""
    named = [problem.field for problem in error.problems] if isinstance(error, Refused) else []
    fields = [found for name in named if (found := refused_field(name))]
    detail = str(error)
    if isinstance(error, NotFound):
        form.problems["group"] = REFUSED_WORDS["group"]
    elif fields or (fields := [found] if (found := refused_field(detail)) else []):
        for name in fields:
            form.problems[name] = REFUSED_WORDS[name]
    elif "as many as it needs" in detail:
        form.problems["group"] = N_("Your group already has as many bookings as the event allows.")
    elif "cancelled" in detail or "started" in detail:
        form.problems["choice_1"] = N_(
            "An occurrence you chose is cancelled or has begun. Choose another."
        )
    else:
        # The booking window's words come from the booking service in the reader's language.
        form.problems["choice_1"] = detail


@router.post("/events/{event_id}/book", response_class=HTMLResponse)
async def book(
    request: Request, visitor: VisitorDep, event_id: EventId, fields: CheckedFormDep
) -> Response:
    teacher = _teacher(request, visitor)
    platform = _platform(request)
    event = await platform.public_event(event_id, visitor.address)
    groups = _suitable(await platform.my_groups(teacher.access_token), event)
    form = read_booking_form(fields, event, groups, datetime.now(UTC))
    if not form.problems and form.group is not None:
        asked = BookingRequest(
            group_id=form.group.id,
            event_id=event.id,
            occurrence_ids=form.occurrence_ids,
            pupils=form.pupils,
            adults=form.adults,
            wheelchair_places=form.wheelchair_places,
            wants_bus=form.values["wants_bus"] == "yes",
            note=form.values["note"],
        )
        try:
            booking = await platform.book(teacher.access_token, asked, visitor.language)
        except (Refused, Conflict, NotFound) as error:
            _refusal_on_the_form(form, error)
        else:
            return see_other(f"/bookings/{booking.id}")
    return await _book_page(request, visitor, event_id, form, status_code=422)


async def event_or_none(
    platform: Platform, event_id: UUID, visitor: Visitor
) -> EventListing | None:
    """A cancelled or past event no longer opens publicly; its booking is still hers to read."""
    try:
        return await platform.public_event(event_id, visitor.address)
    except NotFound:
        return None


@router.get("/bookings", response_class=HTMLResponse)
async def my_bookings(request: Request, visitor: VisitorDep) -> HTMLResponse:
    teacher = _teacher(request, visitor)
    platform = _platform(request)
    bookings = await platform.my_bookings(teacher.access_token)
    events = {
        event_id: await event_or_none(platform, event_id, visitor)
        for event_id in {booking.event_id for booking in bookings}
    }
    groups = {group.id: group for group in await platform.my_groups(teacher.access_token)}
    return render(
        request,
        "teacher/bookings.html",
        headers=NO_STORE,
        bookings=bookings,
        events=events,
        groups=groups,
        status_names=STATUS_NAMES,
    )


async def hers(request: Request, visitor: Visitor, booking_id: str) -> tuple[SignedIn, Booking]:
    teacher = _teacher(request, visitor)
    try:
        wanted = UUID(booking_id)
    except ValueError as error:
        raise NotFound(f"{booking_id!r} is not a booking id") from error
    for booking in await _platform(request).my_bookings(teacher.access_token):
        if booking.id == wanted:
            return teacher, booking
    raise NotFound(f"no booking {booking_id} of this teacher")


def _cancellable_until(booking: Booking, event: EventListing | None) -> datetime | None:
    """The last moment she may cancel, or None when she no longer can."""
    if booking.status not in ACTIVE or event is None:
        return None
    starts = [o.starts_at for o in event.occurrences if o.id == booking.occurrence_id]
    if not starts:
        # Not placed yet (requested or waiting): nothing to keep, so cancelling is always fine.
        return datetime.max.replace(tzinfo=UTC)
    deadline = starts[0] - timedelta(days=event.cancellation_deadline_days)
    return deadline if datetime.now(UTC) <= deadline else None


def _visit_over(booking: Booking, event: EventListing | None) -> bool:
    """A seated group's visit that has ended, and so can be evaluated; an event no longer
    listed is one whose time has passed."""
    if booking.status != BookingStatus.CONFIRMED:
        return False
    ends = [o.ends_at for o in event.occurrences if o.id == booking.occurrence_id] if event else []
    return not ends or ends[0] <= datetime.now(UTC)


async def _booking_page(
    request: Request, visitor: Visitor, booking_id: str, template: str
) -> HTMLResponse:
    teacher, booking = await hers(request, visitor, booking_id)
    platform = _platform(request)
    event = await event_or_none(platform, booking.event_id, visitor)
    groups = {group.id: group for group in await platform.my_groups(teacher.access_token)}
    until = _cancellable_until(booking, event)
    bus, bus_away = None, False
    if booking.wants_bus:
        try:
            bus = await platform.booking_bus(teacher.access_token, booking.id)
        except ServiceDown:
            bus_away = True
    return render(
        request,
        template,
        headers=NO_STORE,
        booking=booking,
        event=event,
        group=groups.get(booking.group_id),
        status_names=STATUS_NAMES,
        occurrences={o.id: o for o in event.occurrences} if event else {},
        cancellable=until is not None,
        visit_over=_visit_over(booking, event),
        bus=bus,
        bus_away=bus_away,
        no_bus_reasons=NO_BUS_REASONS,
        deadline=until if until and until.year < 9999 else None,
        not_cancelled=request.query_params.get("not_cancelled") == "1",
        time_zone=await time_zone(platform, event, visitor) if event else DEFAULT_TIME_ZONE,
    )


@router.get("/bookings/{booking_id}", response_class=HTMLResponse)
async def booking_page(request: Request, visitor: VisitorDep, booking_id: str) -> HTMLResponse:
    """What a mail's "See the booking" opens."""
    return await _booking_page(request, visitor, booking_id, "teacher/booking.html")


@router.get("/bookings/{booking_id}/calendar.ics")
async def calendar_file(request: Request, visitor: VisitorDep, booking_id: str) -> Response:
    """The visit for her calendar, the same entry as the confirmation mail's (one UID)."""
    teacher, booking = await hers(request, visitor, booking_id)
    platform = _platform(request)
    event = await event_or_none(platform, booking.event_id, visitor)
    visits = [o for o in event.occurrences if o.id == booking.occurrence_id] if event else []
    if event is None or booking.status != BookingStatus.CONFIRMED or not visits:
        raise NotFound(f"booking {booking.id} has no visit to put in a calendar")
    me = await platform.me(teacher.access_token)
    groups = {group.id: group for group in await platform.my_groups(teacher.access_token)}
    title = in_language(event.title, visitor.language)
    group = groups.get(booking.group_id)
    venue = event.venue
    # The address readers reach the site at: neither the web's own nor the gateway's inside.
    settings: WebSettings = request.app.state.settings
    site = str(settings.public_url).rstrip("/")
    ics = booking_calendar(
        uid=booking_uid(booking.id),
        sequence=0,
        cancelled=False,
        starts_at=visits[0].starts_at,
        ends_at=visits[0].ends_at,
        summary=title,
        location=", ".join(part for part in (venue.name, venue.address) if part),
        description=f"{title} – {group.name if group else ''}",
        url=f"{site}/bookings/{booking.id}",
        organizer_email=f"noreply@{urlsplit(site).hostname}",
        attendee_email=me.email,
        attendee_name=me.email,
    )
    return Response(
        ics,
        media_type="text/calendar; charset=utf-8",
        headers=NO_STORE
        | {"Content-Disposition": f'attachment; filename="kulturbro-{booking.id}.ics"'},
    )


@router.get("/bookings/{booking_id}/cancel", response_class=HTMLResponse)
async def cancel_page(request: Request, visitor: VisitorDep, booking_id: str) -> HTMLResponse:
    return await _booking_page(request, visitor, booking_id, "teacher/cancel_booking.html")


@router.post("/bookings/{booking_id}/cancel")
async def cancel(
    request: Request, visitor: VisitorDep, booking_id: str, fields: CheckedFormDep
) -> Response:
    teacher, booking = await hers(request, visitor, booking_id)
    try:
        await _platform(request).cancel_booking(teacher.access_token, booking.id, visitor.language)
    except Conflict:
        # Past the deadline or already decided otherwise: the booking's page says where it stands.
        return see_other(f"/bookings/{booking.id}?not_cancelled=1")
    return see_other(f"/bookings/{booking.id}")
