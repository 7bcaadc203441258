"""A local copy of the directory's municipalities: the time zone and language people there use."""

from dataclasses import dataclass

from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kulturbro_contracts.directory import MunicipalityRegistered, MunicipalityUpdated
from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime import HandlerTable, UnitOfWork
from kulturbro_runtime.localization import DEFAULT_TIME_ZONE

metadata = MetaData()

municipality = Table(
    "replica_municipality",
    metadata,
    Column("municipality_id", String(64), primary_key=True),
    Column("time_zone", String(64), nullable=False),
    Column("language", String(2), nullable=False),  # its first: the default
)


def create_municipality_replica() -> None:
    """For a service's migration: the replica table in its own schema.

    Frozen DDL, not the table above: a change to that is a new function here, called from a new
    migration of every service that keeps this copy."""
    import sqlalchemy as sa
    from alembic import op

    op.create_table(
        "replica_municipality",
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id", name="replica_municipality_pkey"),
    )


async def keep_municipality(
    event: MunicipalityRegistered | MunicipalityUpdated, uow: UnitOfWork
) -> None:
    town = event.payload
    values = {"time_zone": town.time_zone, "language": town.languages[0].value}
    await uow.session.execute(
        insert(municipality)
        .values(municipality_id=event.municipality_id, **values)
        .on_conflict_do_update(index_elements=["municipality_id"], set_=values)
    )


MUNICIPALITY_REPLICA: HandlerTable = {
    MunicipalityRegistered: [keep_municipality],
    MunicipalityUpdated: [keep_municipality],
}


@dataclass(frozen=True)
class Locale:
    time_zone: str
    language: Language | None
    """None where the municipality is not known here (yet)."""


async def locale_of(session: AsyncSession | AsyncConnection, municipality_id: str) -> Locale:
    """The municipality's time zone and language; a municipality registered before this copy was
    kept is heard of again at its next change, and meanwhile gets the default zone."""
    row = (
        await session.execute(
            select(municipality.c.time_zone, municipality.c.language).where(
                municipality.c.municipality_id == municipality_id
            )
        )
    ).first()
    if row is None:
        return Locale(DEFAULT_TIME_ZONE, None)
    return Locale(row.time_zone, Language(row.language))
