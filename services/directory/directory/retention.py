"""How long copies of a teacher's contact data outlive her leaving the directory."""

from datetime import datetime

from pydantic import Field
from sqlalchemy import delete
from sqlmodel import col

from directory.db import TeacherDeparture
from kulturbro_contracts.directory import TeacherErased, TeacherErasure
from kulturbro_runtime import ServiceSettings, UnitOfWork
from kulturbro_runtime.retention import kept_since


class DirectorySettings(ServiceSettings):
    # As Helsinki's Kultus: two years after a teacher leaves, her contact data goes everywhere.
    teacher_contact_retention_days: int = Field(default=730, ge=1, le=3650)


async def erase_departed_teachers(
    uow: UnitOfWork, settings: DirectorySettings, now: datetime
) -> int:
    """Tells the services that keep copies to erase the teachers whose period has run out."""
    since = kept_since(now, settings.teacher_contact_retention_days)
    departed = (
        await uow.session.execute(
            delete(TeacherDeparture)
            .where(col(TeacherDeparture.left_at) < since)
            .returning(
                col(TeacherDeparture.teacher_id),
                col(TeacherDeparture.municipality_id),
                col(TeacherDeparture.left_at),
            )
        )
    ).all()
    for teacher_id, municipality_id, left_at in departed:
        await uow.publish(
            TeacherErased(
                municipality_id=municipality_id,
                payload=TeacherErasure(teacher_id=teacher_id, left_at=left_at),
            )
        )
    return len(departed)
