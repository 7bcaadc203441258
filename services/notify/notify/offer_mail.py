"""Offers of held-back seats: the teachers of the one group offered hear of it at once, with a
one-click link to accept, and are reminded two days before the deadline unless the offer was
accepted or has ended. A teacher who stopped invitations gets neither; one who chose a weekly
digest gets both, since an offer will not wait a week."""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from kulturbro_contracts import BookingRequested, OfferExpired, SeatsOffered
from kulturbro_contracts.vocabulary import InvitationPreference
from kulturbro_replicas.catalog import occurrence
from kulturbro_replicas.directory import group, teacher_group
from kulturbro_replicas.teachers import teacher
from kulturbro_runtime import HandlerTable, UnitOfWork
from notify.booking_mail import occurrence_rows
from notify.db import offer
from notify.mail_queue import Recipient, occurrence_view, queue_mail
from notify.settings import NotifySettings

OFFER, OFFER_REMINDER = "offer", "offer_reminder"
REMIND_BEFORE = timedelta(days=2)


class OfferStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    ENDED = "ended"


def offer_url(settings: NotifySettings, offer_id: UUID) -> str:
    """The page that shows the offer with one button to accept it."""
    return f"{settings.public_url}/offers/{offer_id}"


def reminder_due(offered_at: datetime, deadline: datetime, now: datetime) -> bool:
    """Two days before the deadline, unless the offer itself came later than that."""
    remind_at = deadline - REMIND_BEFORE
    return offered_at < remind_at <= now < deadline


async def seats_offered(message: SeatsOffered, uow: UnitOfWork) -> None:
    """Tell the group's teachers once, however often the offer is delivered; an offer already
    accepted or ended (heard first, on another topic) is not told at all."""
    held = message.payload
    values = {
        "municipality_id": message.municipality_id, "event_id": held.event_id,
        "occurrence_id": held.occurrence_id, "group_id": held.group_id, "seats": held.seats,
        "offered_at": message.occurred_at, "deadline": held.deadline,
    }  # fmt: skip
    created = await uow.session.execute(
        insert(offer)
        .values(offer_id=held.offer_id, status=OfferStatus.OFFERED.value, **values)
        .on_conflict_do_update(index_elements=["offer_id"], set_=values)
        .returning(offer.c.status, offer.c.reminded)
    )
    status, reminded = created.one()
    if status != OfferStatus.OFFERED or reminded:
        return
    [visit] = await occurrence_rows(uow, [held.occurrence_id])
    await _tell_teachers(uow, message.municipality_id, held.offer_id, OFFER, visit)


async def offer_accepted(message: BookingRequested, uow: UnitOfWork) -> None:
    if message.payload.offer_id is not None:
        await _close(uow, message.municipality_id, message.payload.offer_id, OfferStatus.ACCEPTED)


async def offer_expired(message: OfferExpired, uow: UnitOfWork) -> None:
    await _close(uow, message.municipality_id, message.payload.offer_id, OfferStatus.ENDED)


async def _close(
    uow: UnitOfWork, municipality_id: str, offer_id: UUID, status: OfferStatus
) -> None:
    """No reminder after this; the first of an acceptance and an end is what happened."""
    await uow.session.execute(
        insert(offer)
        .values(offer_id=offer_id, municipality_id=municipality_id, status=status.value)
        .on_conflict_do_update(
            index_elements=["offer_id"],
            set_={"status": status.value},
            where=offer.c.status == OfferStatus.OFFERED.value,
        )
    )


async def remind_of_offers(uow: UnitOfWork, now: datetime) -> None:
    """The offers whose deadline is two days away, still open: their teachers once more."""
    due = await uow.session.execute(
        select(offer)
        .where(
            offer.c.status == OfferStatus.OFFERED.value,
            ~offer.c.reminded,
            offer.c.deadline > now,
            offer.c.deadline <= now + REMIND_BEFORE,
        )
        .limit(1000)
        .with_for_update(skip_locked=True)
    )
    for held in due.all():
        if reminder_due(held.offered_at, held.deadline, now):
            visit = (
                await uow.session.execute(
                    select(occurrence).where(occurrence.c.occurrence_id == held.occurrence_id)
                )
            ).first()
            if visit is not None:
                await _tell_teachers(
                    uow, held.municipality_id, held.offer_id, OFFER_REMINDER, visit
                )
        await uow.session.execute(
            update(offer).where(offer.c.offer_id == held.offer_id).values(reminded=True)
        )


async def _tell_teachers(
    uow: UnitOfWork, municipality_id: str, offer_id: UUID, kind: str, visit: Any
) -> None:
    """One mail to each teacher of the offered group who has not stopped invitations."""
    assert isinstance(uow.settings, NotifySettings)
    held = (await uow.session.execute(select(offer).where(offer.c.offer_id == offer_id))).one()
    teachers = await uow.session.execute(
        select(teacher.c.teacher_id, teacher.c.email, teacher.c.name, teacher.c.language,
               group.c.name.label("group_name"))
        .join(teacher_group, teacher_group.c.teacher_id == teacher.c.teacher_id)
        .join(group, group.c.group_id == teacher_group.c.group_id)
        .where(
            teacher.c.municipality_id == municipality_id,
            group.c.group_id == held.group_id,
            teacher.c.invitations != InvitationPreference.NONE.value,
        )
        .order_by(teacher.c.teacher_id)
    )  # fmt: skip
    for told in teachers.all():
        await queue_mail(
            uow, municipality_id=municipality_id, kind=kind, cause_id=offer_id,
            subject_id=held.event_id,
            recipient=Recipient(told.teacher_id, told.email, told.name, told.language),
            context={"group": told.group_name, "occurrence": occurrence_view(visit),
                     "seats": held.seats, "deadline": held.deadline.isoformat(),
                     "accept_url": offer_url(uow.settings, offer_id)},
        )  # fmt: skip


OFFER_MAIL: HandlerTable = {
    SeatsOffered: [seats_offered],
    BookingRequested: [offer_accepted],
    OfferExpired: [offer_expired],
}
