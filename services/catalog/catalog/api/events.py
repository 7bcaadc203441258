"""An organizer's own events: drafting, changing, publishing and cancelling them."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import repository
from catalog.api.callers import ActingOrganizer, ActingOrganizerDep, municipality_of
from catalog.domain import (
    Event,
    EventDetails,
    EventStatus,
    InvalidEvent,
    NotAllowed,
    OccurrencePlan,
    OutreachSettings,
    UnknownOccurrence,
)
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow
from kulturbro_runtime.runtime import Runtime

router = APIRouter(tags=["events"])

NOT_YOURS = "no such event among your organizer's events in this municipality"


class EventDraft(EventDetails):
    occurrences: list[OccurrencePlan] = Field(default_factory=list)


class Cancellation(BaseModel):
    reason: str = Field(default="", max_length=500)


@contextmanager
def _refusals() -> Iterator[None]:
    """The domain's refusals as answers a person can act on."""
    try:
        yield
    except InvalidEvent as error:
        raise RequestValidationError(
            [
                {"loc": ("body", *p.field.split(".")), "msg": p.message, "type": "value_error"}
                for p in error.problems
            ]
        ) from error
    except NotAllowed as error:
        raise HTTPException(409, str(error)) from error
    except UnknownOccurrence as error:
        raise HTTPException(404, str(error)) from error


async def _own(
    session: AsyncSession, acting: ActingOrganizer | str, event_id: UUID, *, for_change: bool
) -> Event:
    """The acting organizer's event, or (a municipality id: its culture office) any of its."""
    municipality_id, organizer_id = (
        (acting, None) if isinstance(acting, str) else (acting.municipality_id, acting.organizer_id)
    )
    found = await repository.load(
        session, event_id, municipality_id, organizer_id, for_change=for_change
    )
    if found is None:
        raise HTTPException(404, NOT_YOURS if organizer_id else f"no event {event_id} here")
    return found


@asynccontextmanager
async def changing(
    runtime: Runtime, acting: ActingOrganizer | str, event_id: UUID
) -> AsyncIterator[Event]:
    """The organizer's event to change (the culture office acts with no organizer); saved, with
    what it tells others, only if all went well."""
    async with runtime.unit_of_work() as uow:
        event = await _own(uow.session, acting, event_id, for_change=True)
        with _refusals():
            yield event
        await repository.save(uow.session, event)
        for fact in event.facts:
            await uow.publish(fact)


@router.post("/events", status_code=201, response_model=Event, **allow(Role.ORGANIZER))
async def draft_event(body: EventDraft, acting: ActingOrganizerDep, runtime: RuntimeDep) -> Event:
    """Draft an event, with occurrences or without; no one else sees it until it is published."""
    with _refusals():
        event = Event.draft(
            acting.municipality_id,
            acting.organizer_id,
            body,
            body.occurrences,
            datetime.now(UTC),
        )
    async with runtime.unit_of_work() as uow:
        await repository.save(uow.session, event)
    return event


@router.get("/events/mine", response_model=list[Event], **allow(Role.ORGANIZER))
async def my_events(acting: ActingOrganizerDep, runtime: RuntimeDep) -> list[Event]:
    """Your organizer's events in this municipality, in every status, newest first."""
    async with runtime.database.sessions() as session:
        return await repository.owned_by(session, acting.municipality_id, acting.organizer_id)


class OwnEventPage(BaseModel):
    status: EventStatus
    page: int
    page_size: int
    total: int
    items: list[Event]


@router.get("/events/mine/page", response_model=OwnEventPage, **allow(Role.ORGANIZER))
async def my_events_page(
    acting: ActingOrganizerDep,
    runtime: RuntimeDep,
    status: EventStatus,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> OwnEventPage:
    """A page of your organizer's events of one status, newest first, with how many there are."""
    async with runtime.database.sessions() as session:
        mine = (session, acting.municipality_id, acting.organizer_id, status)
        items = await repository.owned_by(*mine, (page - 1) * page_size, page_size)
        total = await repository.count_owned(*mine)
    return OwnEventPage(status=status, page=page, page_size=page_size, total=total, items=items)


@router.get("/events/{event_id:uuid}", response_model=Event, **allow(Role.ORGANIZER))
async def my_event(event_id: UUID, acting: ActingOrganizerDep, runtime: RuntimeDep) -> Event:
    """One of your organizer's events, in any status."""
    async with runtime.database.sessions() as session:
        return await _own(session, acting, event_id, for_change=False)


@router.put("/events/{event_id:uuid}", response_model=Event, **allow(Role.ORGANIZER))
async def revise_event(
    event_id: UUID, body: EventDetails, acting: ActingOrganizerDep, runtime: RuntimeDep
) -> Event:
    """Change the event's details; a published event tells others with EventChanged."""
    async with changing(runtime, acting, event_id) as event:
        event.revise(body, datetime.now(UTC))
    return event


@router.delete("/events/{event_id:uuid}", status_code=204, **allow(Role.ORGANIZER))
async def delete_draft(event_id: UUID, acting: ActingOrganizerDep, runtime: RuntimeDep) -> Response:
    """Delete a draft; a published event is cancelled instead."""
    async with runtime.unit_of_work() as uow:
        event = await _own(uow.session, acting, event_id, for_change=True)
        with _refusals():
            await repository.delete_draft(uow.session, event)
    return Response(status_code=204)


@router.post("/events/{event_id:uuid}/publish", response_model=Event, **allow(Role.ORGANIZER))
async def publish_event(event_id: UUID, acting: ActingOrganizerDep, runtime: RuntimeDep) -> Event:
    """Publish a draft: teachers can find it, and EventPublished tells the other services."""
    async with changing(runtime, acting, event_id) as event:
        event.publish(datetime.now(UTC))
    return event


@router.post("/events/{event_id:uuid}/cancel", response_model=Event, **allow(Role.ORGANIZER))
async def cancel_event(
    event_id: UUID, body: Cancellation, acting: ActingOrganizerDep, runtime: RuntimeDep
) -> Event:
    """Cancel a published event; EventCancelled tells those who booked it."""
    async with changing(runtime, acting, event_id) as event:
        event.cancel(body.reason)
    return event


@router.post(
    "/events/{event_id:uuid}/occurrences",
    status_code=201,
    response_model=Event,
    **allow(Role.ORGANIZER),
)
async def add_occurrence(
    event_id: UUID, body: OccurrencePlan, acting: ActingOrganizerDep, runtime: RuntimeDep
) -> Event:
    """Add an occurrence; on a published event, OccurrenceScheduled tells others."""
    async with changing(runtime, acting, event_id) as event:
        event.add_occurrence(body, datetime.now(UTC))
    return event


@router.put(
    "/events/{event_id:uuid}/occurrences/{occurrence_id:uuid}",
    response_model=Event,
    **allow(Role.ORGANIZER),
)
async def change_occurrence(
    event_id: UUID,
    occurrence_id: UUID,
    body: OccurrencePlan,
    acting: ActingOrganizerDep,
    runtime: RuntimeDep,
) -> Event:
    """Move or resize an occurrence; on a published event, OccurrenceChanged tells others."""
    async with changing(runtime, acting, event_id) as event:
        event.change_occurrence(occurrence_id, body, datetime.now(UTC))
    return event


@router.delete(
    "/events/{event_id:uuid}/occurrences/{occurrence_id:uuid}",
    response_model=Event,
    **allow(Role.ORGANIZER),
)
async def remove_occurrence(
    event_id: UUID,
    occurrence_id: UUID,
    acting: ActingOrganizerDep,
    runtime: RuntimeDep,
    reason: Annotated[str, Query(max_length=500)] = "",
) -> Event:
    """Remove a draft's occurrence; a published event's is cancelled instead, never deleted,
    and OccurrenceCancelled tells those who booked it."""
    async with changing(runtime, acting, event_id) as event:
        event.remove_occurrence(occurrence_id, reason)
    return event


@router.put("/events/{event_id:uuid}/outreach", response_model=Event, **allow(Role.ADMINISTRATOR))
async def set_outreach(
    event_id: UUID, body: OutreachSettings, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> Event:
    """The culture office sets the share of seats held back for groups with no visit this school
    year, the day what is left of them goes to the waiting list, and the day district quotas
    give way (empty: 7 and 3 days after the booking window closes). A published event tells
    others with EventChanged."""
    async with changing(runtime, municipality_of(caller), event_id) as event:
        event.set_outreach(body)
    return event
