"""What the delivery log forgets, and when: mails' bodies after MAIL_BODY_RETENTION_DAYS, and a
teacher's name and e-mail once the directory says her retention period is over."""

from datetime import datetime

from sqlalchemy import cast, update
from sqlalchemy.dialects.postgresql import JSONB

from kulturbro_contracts.directory import TeacherErased
from kulturbro_runtime import HandlerTable, UnitOfWork
from kulturbro_runtime.retention import kept_since
from notify.db import delivery
from notify.settings import NotifySettings

ERASED = ""  # what an erased name or e-mail reads as in the log

# Only finished mails: one still pending or sending needs what it is written from.
_FINISHED = ("sent", "failed")


async def erase_old_mail_bodies(uow: UnitOfWork, settings: NotifySettings, now: datetime) -> int:
    """A mail's body is written from its context (with the event's details), so erasing the
    context erases the body; recipient, kind, subject and status stay for the log."""
    erased = await uow.session.execute(
        update(delivery)
        .where(
            delivery.c.created_at < kept_since(now, settings.mail_body_retention_days),
            delivery.c.status.in_(_FINISHED),
            cast(delivery.c.context, JSONB) != cast("{}", JSONB),
        )
        .values(context={})
        .returning(delivery.c.id)
    )
    return len(erased.all())


async def erase_teacher(event: TeacherErased, uow: UnitOfWork) -> None:
    await uow.session.execute(
        update(delivery)
        .where(
            delivery.c.recipient_id == event.payload.teacher_id,
            delivery.c.municipality_id == event.municipality_id,
        )
        .values(name=ERASED, email=ERASED)
    )


RETENTION: HandlerTable = {TeacherErased: [erase_teacher]}
