"""A teacher's own choices: the language Kulturbro speaks to her, and how invitations reach her.

The teacher changes them, signed in or through the signed link in a mail; an import from SS 12000
leaves them alone (records.py).
"""

from typing import Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, model_validator
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from directory import municipalities
from directory.db import Teacher
from kulturbro_contracts import directory as contract
from kulturbro_contracts.vocabulary import InvitationPreference, Language
from kulturbro_runtime import UnitOfWork


class Preferences(BaseModel):
    language: Language
    invitations: InvitationPreference


class PreferencesChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Language | None = None
    invitations: InvitationPreference | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if self.language is None and self.invitations is None:
            raise ValueError("give language, invitations or both")
        return self


class UnknownTeacher(LookupError):
    """No such teacher in this municipality's directory (any more)."""


class LanguageNotOffered(ValueError):
    def __init__(self, language: Language, offered: list[Language]) -> None:
        super().__init__(
            f"{language.value!r} is not one of the municipality's languages; "
            f"choose one of {', '.join(item.value for item in offered)}"
        )


async def find(
    session: AsyncSession, municipality_id: str, teacher_id: str, lock: bool = False
) -> Teacher:
    try:
        row_id = UUID(teacher_id)
    except ValueError:
        raise UnknownTeacher(teacher_id) from None
    query = select(Teacher).where(Teacher.id == row_id, Teacher.municipality_id == municipality_id)
    row = (await session.exec(query.with_for_update() if lock else query)).first()
    if row is None:
        raise UnknownTeacher(teacher_id)
    return row


async def read(session: AsyncSession, municipality_id: str, teacher_id: str) -> Preferences:
    return _preferences(await find(session, municipality_id, teacher_id))


async def change(
    uow: UnitOfWork, municipality_id: str, teacher_id: str, changes: PreferencesChange
) -> Preferences:
    """Store the new choices and tell them with TeacherUpdated; the same choices again tell
    nothing."""
    # Imports hold this lock while they write teachers from what they read before, so a choice
    # made meanwhile would be overwritten with the old one; waiting for them keeps it.
    try:
        municipality = await municipalities.find(uow.session, municipality_id, lock=True)
    except municipalities.UnknownMunicipality:
        raise UnknownTeacher(teacher_id) from None
    if changes.language is not None and changes.language not in municipality.languages:
        raise LanguageNotOffered(changes.language, municipality.languages)
    teacher = await find(uow.session, municipality_id, teacher_id, lock=True)
    current = _preferences(teacher)
    wanted = current.model_copy(update=changes.model_dump(exclude_none=True))
    if wanted != current:
        teacher.sqlmodel_update(wanted.model_dump())
        uow.session.add(teacher)
        await uow.publish(
            contract.TeacherUpdated(
                municipality_id=municipality_id,
                payload=contract.Teacher(
                    teacher_id=teacher.id,
                    name=teacher.name,
                    email=teacher.email,
                    language=teacher.language,
                    invitations=teacher.invitations,
                ),
            )
        )
    return wanted


def _preferences(teacher: Teacher) -> Preferences:
    return Preferences(language=teacher.language, invitations=teacher.invitations)
