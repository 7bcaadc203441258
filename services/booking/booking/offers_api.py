"""Offers of held-back seats: a teacher sees what is held for her class and accepts it once,
before the deadline; the acceptance is a booking request like any other, decided at once."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel
from sqlalchemy import ColumnElement, RowMapping, func
from sqlalchemy import select as core_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from booking.api import BookingPublic, teacher_id_of
from booking.db import ACTIVE, Booking, OfferRecord
from booking.domain import BookingRefused, HeldOffer, OfferState, check_acceptance
from kulturbro_contracts import BookingRequested
from kulturbro_contracts.booking import BookingRequest
from kulturbro_replicas import catalog, directory
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow

router = APIRouter(tags=["offers"])


class OfferPublic(BaseModel):
    """A place held for a class: what, when, for how many, until when, and what came of it."""

    offer_id: UUID
    event_id: UUID
    title: dict[str, str]
    venue: str
    occurrence_id: UUID
    starts_at: datetime | None
    """None when the performance was cancelled."""
    ends_at: datetime | None
    group_id: UUID
    group_name: str
    pupils: int
    adults: int
    seats: int
    deadline: datetime
    state: OfferState
    booking_id: UUID | None
    explanation: dict[str, str]


def _described(offer: OfferRecord, row: RowMapping) -> OfferPublic:
    return OfferPublic(
        offer_id=offer.offer_id,
        event_id=offer.event_id,
        title=row["title"] or {},
        venue=(row["venue"] or {}).get("name", ""),
        occurrence_id=offer.occurrence_id,
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        group_id=offer.group_id,
        group_name=row["group_name"] or "?",
        pupils=offer.pupils,
        adults=offer.adults,
        seats=offer.pupils + offer.adults,
        deadline=offer.deadline,
        state=offer.state,
        booking_id=offer.booking_id,
        explanation=offer.explanation,
    )


async def _offers_described(
    session: AsyncSession, municipality_id: str, *chosen: ColumnElement[bool]
) -> list[OfferPublic]:
    """The chosen offers with their event, performance (none once cancelled) and group, read in
    one statement rather than three for each offer."""
    event, occurrence, group = catalog.event, catalog.occurrence, directory.group
    rows = await session.execute(
        core_select(
            OfferRecord,
            event.c.title,
            event.c.venue,
            occurrence.c.starts_at,
            occurrence.c.ends_at,
            group.c.name.label("group_name"),
        )
        .outerjoin(
            event,
            (event.c.event_id == OfferRecord.event_id)
            & (event.c.municipality_id == municipality_id),
        )
        .outerjoin(
            occurrence,
            (occurrence.c.occurrence_id == OfferRecord.occurrence_id) & ~occurrence.c.cancelled,
        )
        .outerjoin(
            group,
            (group.c.group_id == OfferRecord.group_id)
            & (group.c.municipality_id == municipality_id),
        )
        .where(col(OfferRecord.municipality_id) == municipality_id, *chosen)
        .order_by(col(OfferRecord.deadline), col(OfferRecord.offer_id))
    )
    return [_described(row[0], row._mapping) for row in rows]


async def _teachers_offer(
    session: AsyncSession, offer_id: UUID, caller: MunicipalCallerDep, *, for_update: bool
) -> tuple[OfferRecord, bool]:
    """The offer in the caller's municipality, and whether the caller teaches its group."""
    offer = await session.get(OfferRecord, offer_id, with_for_update=for_update)
    if offer is None or offer.municipality_id != caller.municipality_id:
        raise HTTPException(404, f"no offer {offer_id} in your municipality")
    taught = await directory.group_of_teacher(
        session, teacher_id_of(caller), offer.group_id, offer.municipality_id
    )
    return offer, taught is not None


@router.get("/offers/mine", response_model=list[OfferPublic], **allow(Role.TEACHER))
async def my_offers(caller: MunicipalCallerDep, runtime: RuntimeDep) -> list[OfferPublic]:
    """Places held for your groups, the soonest deadline first."""
    async with runtime.database.sessions() as session:
        taught = core_select(directory.teacher_group.c.group_id).where(
            directory.teacher_group.c.teacher_id == teacher_id_of(caller)
        )
        return await _offers_described(
            session, str(caller.municipality_id), col(OfferRecord.group_id).in_(taught)
        )


@router.get("/offers/{offer_id}", response_model=OfferPublic, **allow(Role.TEACHER))
async def offer_for_my_group(
    offer_id: UUID, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> OfferPublic:
    """A place held for one of your groups: what the offer mail's link opens."""
    async with runtime.database.sessions() as session:
        offer, teaches = await _teachers_offer(session, offer_id, caller, for_update=False)
        if not teaches:
            raise HTTPException(403, "this place is held for a group you do not teach")
        (described,) = await _offers_described(
            session, offer.municipality_id, col(OfferRecord.offer_id) == offer.offer_id
        )
        return described


@router.post(
    "/offers/{offer_id}/accept",
    status_code=202,
    response_model=BookingPublic,
    **allow(Role.TEACHER),
)
async def accept_offer(offer_id: UUID, caller: MunicipalCallerDep, runtime: RuntimeDep) -> Booking:
    """Accept the place held for your group: a booking request for the offered performance,
    which the allocation decides at once from the held seats. 403 for another teacher's group;
    409 once accepted, or when the group has a booking for the event; 410 after the deadline
    or when withdrawn. Nothing changes when refused."""
    teacher_id = teacher_id_of(caller)
    async with runtime.unit_of_work() as uow:
        offer, teaches = await _teachers_offer(uow.session, offer_id, caller, for_update=True)
        starts_at = await uow.session.scalar(
            core_select(catalog.occurrence.c.starts_at).where(
                catalog.occurrence.c.occurrence_id == offer.occurrence_id,
                ~catalog.occurrence.c.cancelled,
            )
        )
        active = await uow.session.scalar(
            core_select(func.count())
            .select_from(Booking)
            .where(
                col(Booking.group_id) == offer.group_id,
                col(Booking.event_id) == offer.event_id,
                col(Booking.status).in_(ACTIVE),
            )
        )
        try:
            check_acceptance(
                HeldOffer(offer.state, offer.deadline, starts_at),
                teaches_the_group=teaches,
                group_has_booking=bool(active),
                now=datetime.now(UTC),
            )
        except BookingRefused as refusal:
            raise HTTPException(refusal.status, refusal.reason) from refusal
        booking = Booking(
            id=uuid4(),
            municipality_id=offer.municipality_id,
            event_id=offer.event_id,
            group_id=offer.group_id,
            unit_id=offer.unit_id,
            teacher_id=teacher_id,
            occurrence_ids=[str(offer.occurrence_id)],
            pupils=offer.pupils,
            adults=offer.adults,
            requested_at=datetime.now(UTC),
        )
        uow.session.add(booking)
        offer.state, offer.booking_id = OfferState.ACCEPTED, booking.id
        await uow.publish(
            BookingRequested(
                municipality_id=offer.municipality_id,
                payload=BookingRequest(
                    booking_id=booking.id,
                    event_id=offer.event_id,
                    occurrence_ids=[offer.occurrence_id],
                    group_id=offer.group_id,
                    unit_id=offer.unit_id,
                    teacher_id=teacher_id,
                    pupils=offer.pupils,
                    adults=offer.adults,
                    offer_id=offer.offer_id,
                ),
            )
        )
    return booking
