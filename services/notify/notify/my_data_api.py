"""What notify holds about the teacher asking: the mails made for her, and how to reach her.

A mail's body is written from its context; past MAIL_BODY_RETENTION_DAYS the context is no longer
kept, and none is shown here either, even before the job has erased it."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from kulturbro_replicas.teachers import teacher
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow
from kulturbro_runtime.retention import kept_since
from notify.db import delivery
from notify.settings import NotifySettings

router = APIRouter(tags=["my data"])


class MyMail(BaseModel):
    kind: str
    email: str
    name: str
    language: str
    subject: str | None
    context: dict[str, Any] | None  # what the body was written from, while it is kept
    status: str
    created_at: datetime
    sent_at: datetime | None


class MyNotifyData(BaseModel):
    address: dict[str, str] | None  # the copy of her name, e-mail, language and invitations
    mails: list[MyMail]


@router.get("/me/data", response_model=MyNotifyData, **allow(Role.TEACHER))
async def my_data(caller: MunicipalCallerDep, runtime: RuntimeDep) -> MyNotifyData:
    settings = runtime.settings
    assert isinstance(settings, NotifySettings)
    try:
        teacher_id = UUID(caller.subject)
    except ValueError:
        return MyNotifyData(address=None, mails=[])
    since = kept_since(datetime.now(UTC), settings.mail_body_retention_days)
    async with runtime.database.engine.connect() as connection:
        copy = (
            await connection.execute(
                select(teacher.c.name, teacher.c.email, teacher.c.language, teacher.c.invitations)
                .where(teacher.c.teacher_id == teacher_id)
                .where(teacher.c.municipality_id == caller.municipality_id)
            )
        ).first()
        rows = await connection.execute(
            select(delivery)
            .where(delivery.c.recipient_id == teacher_id)
            .where(delivery.c.municipality_id == caller.municipality_id)
            .order_by(delivery.c.created_at)
        )
        mails = [
            MyMail(
                **{
                    field: row._mapping[field]
                    for field in MyMail.model_fields
                    if field != "context"
                },
                context=row.context if row.created_at >= since else None,
            )
            for row in rows
        ]
    return MyNotifyData(address=dict(copy._mapping) if copy else None, mails=mails)
