"""The delivery log over HTTP: did the teachers of school X get it?"""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select

from kulturbro_contracts import limits
from kulturbro_replicas.directory import group, teacher_group
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow
from notify.db import delivery

router = APIRouter(tags=["deliveries"])
Status = Literal["pending", "sending", "sent", "failed"]


class DeliveryPublic(BaseModel):
    kind: str
    subject_id: UUID
    booking_id: UUID | None
    recipient_id: UUID
    email: str
    status: str
    attempts: int
    reason: str | None
    subject: str | None
    created_at: datetime
    sent_at: datetime | None


class DeliverySummary(BaseModel):
    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0


SubjectQuery = Annotated[UUID | None, Query(description="the catalog event the mails are about")]
UnitQuery = Annotated[UUID | None, Query(description="only teachers of this school's groups")]


def _filtered(
    query: Select,  # type: ignore[type-arg]
    municipality_id: str | None,
    subject_id: UUID | None,
    unit_id: UUID | None,
) -> Select:  # type: ignore[type-arg]
    query = query.where(delivery.c.municipality_id == municipality_id)
    if subject_id is not None:
        query = query.where(delivery.c.subject_id == subject_id)
    if unit_id is not None:
        teachers_of_unit = (
            select(teacher_group.c.teacher_id)
            .join(group, group.c.group_id == teacher_group.c.group_id)
            .where(group.c.unit_id == unit_id, group.c.municipality_id == municipality_id)
        )
        query = query.where(delivery.c.recipient_id.in_(teachers_of_unit))
    return query


@router.get("/deliveries", response_model=list[DeliveryPublic], **allow(Role.ADMINISTRATOR))
async def deliveries(
    caller: MunicipalCallerDep,
    runtime: RuntimeDep,
    subject_id: SubjectQuery = None,
    unit_id: UnitQuery = None,
    kind: Annotated[str | None, Query(max_length=40, description="e.g. invitation")] = None,
    status: Status | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=limits.MAX_OFFSET)] = 0,
) -> list[DeliveryPublic]:
    """Every mail to the municipality's teachers and organizers: to whom, about what, and
    whether it went out (with the mail server's reason when it did not)."""
    query = _filtered(select(delivery), caller.municipality_id, subject_id, unit_id)
    if kind is not None:
        query = query.where(delivery.c.kind == kind)
    if status is not None:
        query = query.where(delivery.c.status == status)
    async with runtime.database.sessions() as session:
        rows = await session.execute(query.order_by(delivery.c.id).limit(limit).offset(offset))
        return [DeliveryPublic.model_validate(row, from_attributes=True) for row in rows]


@router.get("/deliveries/summary", response_model=DeliverySummary, **allow(Role.ADMINISTRATOR))
async def delivery_summary(
    caller: MunicipalCallerDep,
    runtime: RuntimeDep,
    subject_id: SubjectQuery = None,
    unit_id: UnitQuery = None,
) -> DeliverySummary:
    """How many mails are sent, failed or still on their way."""
    query = _filtered(
        select(delivery.c.status, func.count()).group_by(delivery.c.status),
        caller.municipality_id, subject_id, unit_id,
    )  # fmt: skip
    async with runtime.database.sessions() as session:
        counts = dict((await session.execute(query)).all())
    return DeliverySummary(**counts)
