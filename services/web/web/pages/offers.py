"""Places held for a teacher's classes (outreach): the offer mail's link opens one; one button
accepts it, which books the held seats at once; the teacher's list shows every offer and its end."""

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kulturbro_runtime import Role
from kulturbro_runtime.localization import DEFAULT_TIME_ZONE
from web.pages.common import CheckedFormDep, see_other, signed_in_as
from web.platform import Conflict, Forbidden, Gone, Offer, OfferState, Platform
from web.rendering import NO_STORE, render
from web.visitors import Visitor, VisitorDep
from web.words import N_

router = APIRouter(include_in_schema=False)
STATE_NAMES = {
    OfferState.OPEN: N_("Held for your class"),
    OfferState.ACCEPTED: N_("Accepted: your class has the seats"),
    OfferState.EXPIRED: N_("Not accepted in time: the seats went to the waiting list"),
    OfferState.WITHDRAWN: N_(
        "Withdrawn: the performance was cancelled or your class booked the event another way"
    ),
}
NOT_YOURS = N_(
    "This place is held for a class you do not teach; only its own teachers can take it."
)
TAKEN = N_(
    "The place has been accepted already, or your class already has a booking for this event."
)
TOO_LATE = N_(
    "The place can no longer be accepted: its time ran out or it was withdrawn. You can still "
    "ask for seats on the event's page."
)


def _token(request: Request, visitor: Visitor) -> str:
    signed_in_as(visitor, request, Role.TEACHER)
    assert visitor.signed_in is not None
    return visitor.signed_in.access_token


async def _time_zone(request: Request, visitor: Visitor) -> str:
    assert visitor.signed_in is not None
    if visitor.signed_in.municipality_id is None:
        return DEFAULT_TIME_ZONE
    platform: Platform = request.app.state.platform
    found = await platform.public_municipality(visitor.signed_in.municipality_id, visitor.address)
    return found.time_zone


async def _page(
    request: Request,
    visitor: Visitor,
    offer: Offer | None,
    problem: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "teacher/offer.html",
        status_code=status_code,
        headers=NO_STORE,
        offer=offer,
        problem=problem,
        states=STATE_NAMES,
        time_zone=await _time_zone(request, visitor),
        open_now=offer is not None
        and offer.state is OfferState.OPEN
        and offer.deadline > datetime.now(UTC),
    )


@router.get("/offers", response_class=HTMLResponse)
async def my_offers(request: Request, visitor: VisitorDep) -> HTMLResponse:
    platform: Platform = request.app.state.platform
    offers = await platform.my_offers(_token(request, visitor))
    return render(
        request,
        "teacher/offers.html",
        headers=NO_STORE,
        offers=offers,
        states=STATE_NAMES,
        time_zone=await _time_zone(request, visitor),
    )


@router.get("/offers/{offer_id}", response_class=HTMLResponse)
async def offer_page(request: Request, visitor: VisitorDep, offer_id: UUID) -> HTMLResponse:
    platform: Platform = request.app.state.platform
    try:
        offer = await platform.offer(_token(request, visitor), offer_id)
    except Forbidden:
        return await _page(request, visitor, None, NOT_YOURS, status_code=403)
    return await _page(request, visitor, offer)


@router.post("/offers/{offer_id}/accept", response_class=HTMLResponse)
async def accept(
    request: Request, visitor: VisitorDep, offer_id: UUID, _: CheckedFormDep
) -> Response:
    token = _token(request, visitor)
    platform: Platform = request.app.state.platform
    try:
        booking = await platform.accept_offer(token, offer_id, visitor.language)
    except Forbidden:
        return await _page(request, visitor, None, NOT_YOURS, status_code=403)
    except (Conflict, Gone) as refused:
        offer = await platform.offer(token, offer_id)
        problem, status = (TAKEN, 409) if isinstance(refused, Conflict) else (TOO_LATE, 410)
        return await _page(request, visitor, offer, problem, status_code=status)
    return see_other(f"/bookings/{booking.id}")
