"""The delivery log over HTTP: did the teachers of school X get it?"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from kulturbro_replicas.directory import group, teacher_group
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow
from notify.db import delivery

router = APIRouter(tags=["deliveries"])


class DeliveryPublic(BaseModel):
    kind: str
    subject_id: UUID
    teacher_id: UUID
    email: str
    groups: list[str]
    status: str
    attempts: int
    reason: str | None
    sent_at: str | None


@router.get("/deliveries", response_model=list[DeliveryPublic], **allow(Role.ADMINISTRATOR))
async def deliveries(
    caller: MunicipalCallerDep,
    runtime: RuntimeDep,
    subject_id: Annotated[
        UUID | None, Query(description="e.g. the event an invitation was for")
    ] = None,
    unit_id: Annotated[
        UUID | None, Query(description="only teachers of this school's groups")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[DeliveryPublic]:
    query = select(delivery).where(delivery.c.municipality_id == caller.municipality_id)
    if subject_id is not None:
        query = query.where(delivery.c.subject_id == subject_id)
    if unit_id is not None:
        teachers_of_unit = (
            select(teacher_group.c.teacher_id)
            .join(group, group.c.group_id == teacher_group.c.group_id)
            .where(group.c.unit_id == unit_id)
        )
        query = query.where(delivery.c.teacher_id.in_(teachers_of_unit))
    async with runtime.database.sessions() as session:
        rows = await session.execute(query.order_by(delivery.c.id).limit(limit).offset(offset))
        return [
            DeliveryPublic(
                kind=r.kind, subject_id=r.subject_id, teacher_id=r.teacher_id, email=r.email,
                groups=r.groups, status=r.status, attempts=r.attempts, reason=r.reason,
                sent_at=r.sent_at.isoformat() if r.sent_at else None,
            )
            for r in rows
        ]  # fmt: skip
