"""Sends what the delivery log holds pending, over one reused SMTP connection per batch; each mail
is marked sent, with its NotificationSent, as soon as the server has taken it."""

import asyncio
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import aiosmtplib
from sqlalchemy import select, update

from kulturbro_contracts import NotificationFailed, NotificationSent
from kulturbro_contracts.notify import Delivery, FailedDelivery
from kulturbro_runtime import UnitOfWork
from kulturbro_runtime.runtime import Runtime
from notify.db import delivery
from notify.mailer import message, smtp_client
from notify.settings import NotifySettings

log = logging.getLogger(__name__)
BATCH = 200
IDLE_SECONDS = 1.0


async def _mark(uow: UnitOfWork, row: Any, status: str, reason: str | None = None) -> None:
    await uow.session.execute(
        update(delivery)
        .where(delivery.c.id == row.id)
        .values(status=status, reason=reason, attempts=row.attempts + 1,
                sent_at=datetime.now(UTC) if status == "sent" else None)
    )  # fmt: skip
    facts = {"notification_id": _notification_id(row), "recipient_id": row.teacher_id,
             "kind": row.kind, "subject_id": row.subject_id}  # fmt: skip
    if status == "sent":
        await uow.publish(
            NotificationSent(municipality_id=row.municipality_id, payload=Delivery(**facts))
        )
    else:
        await uow.publish(
            NotificationFailed(
                municipality_id=row.municipality_id,
                payload=FailedDelivery(**facts, reason=reason or "", permanent=True),
            )
        )


def _notification_id(row: Any) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"kulturbro:delivery:{row.id}")


async def deliver_batch(runtime: Runtime) -> int:
    settings = runtime.settings
    assert isinstance(settings, NotifySettings)
    async with runtime.unit_of_work() as uow:
        rows = (
            await uow.session.execute(
                select(delivery).where(delivery.c.status == "pending").order_by(delivery.c.id)
                .limit(BATCH).with_for_update(skip_locked=True)
            )
        ).all()  # fmt: skip
        if not rows:
            return 0
        try:
            async with smtp_client(settings) as smtp:
                for row in rows:
                    try:
                        await smtp.send_message(message(settings, row.email, row.subject, row.body))
                    except aiosmtplib.SMTPRecipientsRefused as refused:
                        await _mark(uow, row, "failed", str(refused)[:500])
                        continue
                    except aiosmtplib.SMTPResponseException as answer:
                        if answer.code < 500:
                            raise  # temporary: the row stays pending
                        await _mark(uow, row, "failed", f"{answer.code} {answer.message}"[:500])
                        continue
                    await _mark(uow, row, "sent")
        except (aiosmtplib.SMTPException, OSError) as error:
            # What was sent is marked and commits; the rest stays pending for the next round.
            log.warning("mail server unavailable, will retry: %s", error)
        return len(rows)


async def deliver_pending(runtime: Runtime) -> None:
    """A background job of the notify service; replicas share the work through SKIP LOCKED."""
    while True:
        try:
            sent = await deliver_batch(runtime)
        except Exception:
            log.exception("delivery round failed; trying again shortly")
            sent = 0
        if sent < BATCH:
            await asyncio.sleep(IDLE_SECONDS)
