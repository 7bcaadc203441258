"""Who may act: the municipality of every caller, and the organizer an organizer acts for."""

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, HTTPException
from sqlalchemy import exists, select

from catalog.db import organizer_municipality
from kulturbro_runtime import Caller, MunicipalCallerDep, Role, RuntimeDep, require_role


def municipality_of(caller: Caller) -> str:
    assert caller.municipality_id is not None, "MunicipalCallerDep lets no caller without one in"
    return caller.municipality_id


def id_or_refuse(value: str | None, refusal: str) -> UUID:
    try:
        return UUID(value or "")
    except ValueError:
        raise HTTPException(403, refusal) from None


@dataclass(frozen=True)
class ActingOrganizer:
    municipality_id: str
    organizer_id: UUID


async def _acting_organizer(caller: MunicipalCallerDep, runtime: RuntimeDep) -> ActingOrganizer:
    require_role(caller, Role.ORGANIZER)
    organizer_id = id_or_refuse(caller.organizer_id, "your sign-in names no organizer to act for")
    municipality_id = municipality_of(caller)
    async with runtime.database.sessions() as session:
        linked = await session.scalar(
            select(
                exists().where(
                    organizer_municipality.c.organizer_id == organizer_id,
                    organizer_municipality.c.municipality_id == municipality_id,
                )
            )
        )
    if not linked:
        raise HTTPException(
            403,
            f"your organizer is not part of {municipality_id}'s offering; ask its culture "
            "administration to add it",
        )
    return ActingOrganizer(municipality_id, organizer_id)


ActingOrganizerDep = Annotated[ActingOrganizer, Depends(_acting_organizer)]
