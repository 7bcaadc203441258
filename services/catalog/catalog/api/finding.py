"""Finding events: a teacher's events for their groups, and a municipality's public listing."""

import time
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, HTTPException, Path, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import AwareDatetime

from catalog import queries
from catalog.api.callers import id_or_refuse, municipality_of
from catalog.domain import Category
from catalog.public_pages import PAGES
from kulturbro_contracts.vocabulary import Language, TargetGroup
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow, public

router = APIRouter(tags=["finding events"])


@router.get(
    "/events/for-my-groups", response_model=queries.EventsForGroupsPage, **allow(Role.TEACHER)
)
async def events_for_my_groups(
    caller: MunicipalCallerDep,
    runtime: RuntimeDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    starts_from: Annotated[
        AwareDatetime | None,
        Query(alias="from", description="occurrences starting then or later; default: now"),
    ] = None,
    starts_before: Annotated[
        AwareDatetime | None, Query(alias="to", description="occurrences starting before this")
    ] = None,
    target_group: Annotated[
        TargetGroup | None,
        Query(description="only events for this one of your groups' target groups"),
    ] = None,
    category: Category | None = None,
    language: Annotated[Language | None, Query(description="the occurrence's language")] = None,
    district: Annotated[str | None, Query(max_length=100, description="the venue's")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="words in a title or description")
    ] = None,
    free_seats_only: Annotated[
        bool, Query(description="only occurrences with room for a whole group and its adults")
    ] = False,
) -> queries.EventsForGroupsPage:
    """Published events for the target groups of your groups, soonest first, a page at a time;
    each with the occurrences that match."""
    teacher_id = id_or_refuse(caller.subject, "your sign-in is not a teacher of the directory")
    starts_from = starts_from or datetime.now(UTC)
    _refuse_an_empty_period(starts_from, starts_before)
    search = queries.TeacherSearch(
        starts_from=starts_from,
        starts_before=starts_before,
        category=category,
        language=language,
        district=district,
        text=q,
        free_seats_only=free_seats_only,
        target_group=target_group,
    )
    async with runtime.database.sessions() as session:
        return await queries.events_for_teacher(
            session, municipality_of(caller), teacher_id, search, page, page_size
        )


@router.get("/public/{municipality_id}/events", response_model=queries.EventPage, **public())
async def public_events(
    municipality_id: Annotated[str, Path(min_length=1, max_length=64)],
    runtime: RuntimeDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    starts_from: Annotated[
        AwareDatetime | None,
        Query(alias="from", description="occurrences starting then or later; default: now"),
    ] = None,
    starts_before: Annotated[
        AwareDatetime | None, Query(alias="to", description="occurrences starting before this")
    ] = None,
    target_group: Annotated[TargetGroup | None, Query(description="who the event is for")] = None,
    category: Category | None = None,
    district: Annotated[str | None, Query(max_length=100, description="the venue's")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="words in a title or description")
    ] = None,
) -> queries.EventPage:
    """A municipality's published events with occurrences to come, for anyone: no sign-in, no
    personal data. Each lists the occurrences that match the filters."""
    now = datetime.now(UTC)
    starts_from = max(starts_from or now, now)
    _refuse_an_empty_period(starts_from, starts_before)
    search = queries.TeacherSearch(
        starts_from=starts_from,
        starts_before=starts_before,
        category=category,
        district=district,
        text=q,
        target_group=target_group,
    )
    async with runtime.database.sessions() as session:
        return await queries.public_listing(session, municipality_id, search, page, page_size)


@router.get(
    "/public/events/{event_id:uuid}",
    response_model=queries.PublicEvent,
    responses={304: {"description": "your copy (If-None-Match) is the page as it is"}},
    **public(),
)
async def public_event(
    event_id: UUID,
    runtime: RuntimeDep,
    if_none_match: Annotated[str | None, Header(max_length=500)] = None,
) -> Response:
    """A published event, with its occurrences to come and their free seats, for anyone: what a
    mail's "Book here" link opens. 404 for a draft, a cancelled event or an unknown id. The
    page may be up to a few seconds old (its free seats too): Cache-Control says how long it
    may be kept, and its ETag answers a conditional request with 304."""
    page = PAGES.get(event_id)
    if page is None:
        async with runtime.database.sessions() as session:
            found = await queries.public_event(session, event_id, datetime.now(UTC))
        if found is None:
            raise HTTPException(404, f"no published event {event_id}")
        page = PAGES.keep(event_id, found.model_dump_json().encode())
    headers = {
        "ETag": page.etag,
        "Cache-Control": f"public, max-age={page.max_age(time.monotonic())}",
    }
    if page.matches(if_none_match):
        return Response(status_code=304, headers=headers)
    return Response(page.body, media_type="application/json", headers=headers)


def _refuse_an_empty_period(starts_from: datetime, starts_before: datetime | None) -> None:
    if starts_before is not None and starts_before <= starts_from:
        raise RequestValidationError(
            [{"loc": ("query", "to"), "msg": "must come after from", "type": "value_error"}]
        )
