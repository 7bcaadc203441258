"""Whom an account may serve: only a municipality the directory registered and an organizer in
its offering, as the gateway's copies of their events know them."""

from uuid import UUID

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.db import OrganizerCopy
from kulturbro_replicas.municipalities import municipality


async def unknown_municipality(session: AsyncSession, municipality_id: str) -> str | None:
    """Why no account may serve this municipality, or None when one may."""
    found = await session.exec(
        select(municipality.c.municipality_id).where(
            municipality.c.municipality_id == municipality_id
        )
    )
    if found.first() is not None:
        return None
    return f"no municipality {municipality_id!r} is registered; check the id, or register it first"


async def unknown_organizer(
    session: AsyncSession, organizer_id: str, municipality_id: str | None
) -> str | None:
    """Why no account may act for this organizer in this municipality, or None when one may."""
    try:
        key = UUID(organizer_id)
    except ValueError:
        return f"{organizer_id!r} is not an organizer id; the catalog's list of organizers has them"
    found = await session.exec(
        select(OrganizerCopy.municipality_id).where(col(OrganizerCopy.organizer_id) == key)
    )
    offerings = set(found)
    if not offerings:
        return (
            f"no organizer {organizer_id} is registered; check the id in the catalog's list (one"
            " registered a moment ago reaches the sign-in service within seconds: try again)"
        )
    if municipality_id is not None and municipality_id not in offerings:
        return (
            f"organizer {organizer_id} is not in the offering of {municipality_id!r}; an "
            "administrator there adds it first"
        )
    return None
