"""A teacher evaluates a visit from the link in the mail sent after it, and corrects her answers
for 14 days: what the booking service keeps, shown and changed in her language."""

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kulturbro_runtime.localization import DEFAULT_TIME_ZONE
from web.evaluation_form import (
    QUESTIONS,
    SCALE,
    EvaluationForm,
    form_of,
    read_evaluation_form,
    refused_field,
    score_field,
)
from web.pages.bookings import event_or_none, hers, time_zone
from web.pages.common import CheckedFormDep, see_other
from web.platform import Conflict, Platform, Refused
from web.rendering import NO_STORE, render
from web.visitors import Visitor, VisitorDep
from web.words import N_

router = APIRouter(include_in_schema=False)
TOO_LATE = N_("The 14 days to correct the evaluation have passed; it stays as it was given.")


async def _page(
    request: Request,
    visitor: Visitor,
    booking_id: str,
    form: EvaluationForm | None = None,
    refusal: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    teacher, booking = await hers(request, visitor, booking_id)
    platform: Platform = request.app.state.platform
    state = await platform.evaluation(teacher.access_token, booking.id)
    event = await event_or_none(platform, booking.event_id, visitor)
    now = datetime.now(UTC)
    return render(
        request,
        "teacher/evaluation.html",
        status_code=status_code,
        headers=NO_STORE,
        booking=booking,
        event=event,
        state=state,
        form=form or form_of(state.given),
        questions=QUESTIONS,
        scale=SCALE,
        score_field=score_field,
        not_yet=state.opens_at is not None and now < state.opens_at,
        closed=state.correctable_until is not None and now > state.correctable_until,
        saved=request.query_params.get("saved") == "1",
        refusal=refusal,
        time_zone=await time_zone(platform, event, visitor) if event else DEFAULT_TIME_ZONE,
    )


@router.get("/evaluations/{booking_id}", response_class=HTMLResponse)
async def evaluation_page(request: Request, visitor: VisitorDep, booking_id: str) -> HTMLResponse:
    """What the mail sent after a visit links to."""
    return await _page(request, visitor, booking_id)


@router.post("/evaluations/{booking_id}", response_class=HTMLResponse)
async def evaluate(
    request: Request, visitor: VisitorDep, booking_id: str, fields: CheckedFormDep
) -> Response:
    teacher, booking = await hers(request, visitor, booking_id)
    platform: Platform = request.app.state.platform
    state = await platform.evaluation(teacher.access_token, booking.id)
    form = read_evaluation_form(fields, state)
    if form.answers is not None:
        try:
            await platform.evaluate(teacher.access_token, UUID(str(booking.id)), form.answers)
        except Refused as refused:
            for problem in refused.problems:
                form.problems.setdefault(refused_field(problem.field), problem.message)
        except Conflict:
            return await _page(request, visitor, booking_id, form, TOO_LATE, 409)
        else:
            return see_other(f"/evaluations/{booking.id}?saved=1")
    return await _page(request, visitor, booking_id, form, status_code=422)
