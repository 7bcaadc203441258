"""Administrators register organizers and add them to their municipality's offering."""

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, EmailStr, Field
from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert

from catalog.api.callers import municipality_of
from catalog.db import organizer, organizer_municipality
from catalog.domain import OrganizerKind
from kulturbro_contracts.catalog import OrganizerContact, OrganizerRegistered
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, UnitOfWork, allow, like

router = APIRouter(tags=["organizers"])


class OrganizerRegistration(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: OrganizerKind
    contact_email: EmailStr


class Organizer(OrganizerRegistration):
    id: UUID


class RegisteredOrganizer(BaseModel):
    """An organizer as another municipality sees it: whom to add, not how to reach them."""

    id: UUID
    name: str
    kind: OrganizerKind
    in_your_offering: bool


async def _announce(uow: UnitOfWork, joined: Organizer, municipality_id: str) -> None:
    """Tell the municipality's services who the organizer is and where its bookings go."""
    contact = OrganizerContact(
        organizer_id=joined.id, name=joined.name, contact_email=joined.contact_email
    )
    await uow.publish(OrganizerRegistered(municipality_id=municipality_id, payload=contact))


@router.post("/organizers", status_code=201, response_model=Organizer, **allow(Role.ADMINISTRATOR))
async def register_organizer(
    body: OrganizerRegistration, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> Organizer:
    """Register an organizer and add it to your municipality's offering."""
    registered = Organizer(id=uuid4(), **body.model_dump())
    async with runtime.unit_of_work() as uow:
        await uow.session.execute(organizer.insert().values(registered.model_dump()))
        await uow.session.execute(
            organizer_municipality.insert().values(
                organizer_id=registered.id, municipality_id=municipality_of(caller)
            )
        )
        await _announce(uow, registered, municipality_of(caller))
    return registered


@router.put(
    "/organizers/{organizer_id}/municipality",
    response_model=Organizer,
    **allow(Role.ADMINISTRATOR),
)
async def add_organizer_to_offering(
    organizer_id: UUID, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> Organizer:
    """Add an organizer another municipality registered to your municipality's offering too."""
    async with runtime.unit_of_work() as uow:
        row = (
            (await uow.session.execute(select(organizer).where(organizer.c.id == organizer_id)))
            .mappings()
            .first()
        )
        if row is None:
            raise HTTPException(404, f"no organizer {organizer_id}; register it first")
        joined = await uow.session.execute(
            insert(organizer_municipality)
            .values(organizer_id=organizer_id, municipality_id=municipality_of(caller))
            .on_conflict_do_nothing()
            .returning(organizer_municipality.c.organizer_id)
        )
        added = Organizer.model_validate(dict(row))
        if joined.first() is not None:
            await _announce(uow, added, municipality_of(caller))
    return added


@router.get("/organizers", response_model=list[Organizer], **allow(Role.ADMINISTRATOR))
async def list_organizers(caller: MunicipalCallerDep, runtime: RuntimeDep) -> list[Organizer]:
    """The organizers in your municipality's offering, with their contact details."""
    async with runtime.database.sessions() as session:
        rows = await session.execute(
            select(organizer)
            .join(organizer_municipality)
            .where(organizer_municipality.c.municipality_id == municipality_of(caller))
            .order_by(organizer.c.name)
        )
        return [Organizer.model_validate(dict(row)) for row in rows.mappings()]


@router.get(
    "/organizers/registered",
    response_model=list[RegisteredOrganizer],
    **allow(Role.ADMINISTRATOR),
)
async def find_registered_organizers(
    caller: MunicipalCallerDep,
    runtime: RuntimeDep,
    q: Annotated[str, Query(min_length=2, max_length=200, description="words in the name")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[RegisteredOrganizer]:
    """Organizers any municipality registered whose name has these words, to add to yours."""
    ours = exists().where(
        organizer_municipality.c.organizer_id == organizer.c.id,
        organizer_municipality.c.municipality_id == municipality_of(caller),
    )
    async with runtime.database.sessions() as session:
        rows = await session.execute(
            select(organizer.c.id, organizer.c.name, organizer.c.kind, ours.label("ours"))
            .where(organizer.c.name.ilike(like.containing(q), escape=like.ESCAPE))
            .order_by(organizer.c.name, organizer.c.id)
            .limit(limit)
        )
        return [
            RegisteredOrganizer(id=r.id, name=r.name, kind=r.kind, in_your_offering=r.ours)
            for r in rows
        ]
