"""Queueing a mail: one row in the delivery log, at most one per kind, cause and recipient."""

import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from kulturbro_replicas.directory import group
from kulturbro_replicas.teachers import teacher
from kulturbro_runtime import UnitOfWork
from notify.db import delivery
from notify.settings import NotifySettings


@dataclass(frozen=True)
class Recipient:
    recipient_id: UUID
    email: str
    name: str
    language: str


def cause(*parts: object) -> UUID:
    """A stable id for a cause that is not itself a message, e.g. a reminder for one visit."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "kulturbro:" + ":".join(str(p) for p in parts))


def occurrence_view(row: Any, **changed: Any) -> dict[str, Any]:
    """An occurrence as the templates show it, from a replica_occurrence row (or any row with
    its columns); `changed` replaces some, e.g. the times the teacher's calendar has."""
    columns = ("occurrence_id", "starts_at", "ends_at", "capacity", "language")
    values = {name: getattr(row, name) for name in columns} | changed
    return values | {
        "occurrence_id": str(values["occurrence_id"]),
        "starts_at": values["starts_at"].isoformat(),
        "ends_at": values["ends_at"].isoformat(),
    }


async def teacher_recipient(uow: UnitOfWork, teacher_id: UUID) -> Recipient | None:
    row = (
        await uow.session.execute(
            select(teacher.c.email, teacher.c.name, teacher.c.language).where(
                teacher.c.teacher_id == teacher_id
            )
        )
    ).first()
    return Recipient(teacher_id, row.email, row.name, row.language) if row else None


async def queue_mail(
    uow: UnitOfWork,
    *,
    municipality_id: str,
    kind: str,
    cause_id: UUID,
    subject_id: UUID,
    recipient: Recipient,
    context: dict[str, Any],
    booking_id: UUID | None = None,
) -> None:
    await uow.session.execute(
        insert(delivery)
        .values(
            municipality_id=municipality_id, kind=kind, cause_id=cause_id, subject_id=subject_id,
            booking_id=booking_id, recipient_id=recipient.recipient_id, email=recipient.email,
            name=recipient.name, language=recipient.language, context=context,
        )
        .on_conflict_do_nothing()
    )  # fmt: skip


async def tell_teacher(
    uow: UnitOfWork, seated: Any, kind: str, cause_id: UUID, context: dict[str, Any]
) -> None:
    """Queue one mail about a booking (a row of notify's `booking`) to the teacher who made it."""
    assert isinstance(uow.settings, NotifySettings)
    recipient = await teacher_recipient(uow, seated.teacher_id)
    if recipient is None:
        return  # the teacher has left the directory; nobody to tell
    group_name = await uow.session.scalar(
        select(group.c.name).where(group.c.group_id == seated.group_id)
    )
    await queue_mail(
        uow, municipality_id=seated.municipality_id, kind=kind, cause_id=cause_id,
        subject_id=seated.event_id, booking_id=seated.booking_id, recipient=recipient,
        context={"group": group_name or "", "booking_url":
                 f"{uow.settings.public_url}/bookings/{seated.booking_id}"} | context,
    )  # fmt: skip
