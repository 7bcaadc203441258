"""A local copy of the directory: units, groups and which teachers teach them."""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Column, Integer, MetaData, String, Table, delete, select
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kulturbro_contracts import (
    GroupRegistered,
    GroupRemoved,
    GroupUpdated,
    SchoolRegistered,
    SchoolUpdated,
    TeacherAssigned,
    TeacherUnassigned,
)
from kulturbro_contracts.directory import SchoolRemoved, TeacherRemoved
from kulturbro_runtime import HandlerTable, UnitOfWork

metadata = MetaData()

unit = Table(
    "replica_unit",
    metadata,
    Column("unit_id", PgUUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False, index=True),
    Column("name", String, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("district", String),
)

group = Table(
    "replica_group",
    metadata,
    Column("group_id", PgUUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False, index=True),
    Column("unit_id", PgUUID(as_uuid=True), nullable=False, index=True),
    Column("name", String, nullable=False),
    Column("target_group", String(40), nullable=False),
    Column("size", Integer, nullable=False),
)

teacher_group = Table(
    "replica_teacher_group",
    metadata,
    Column("teacher_id", PgUUID(as_uuid=True), primary_key=True),
    Column("group_id", PgUUID(as_uuid=True), primary_key=True, index=True),
    Column("municipality_id", String(64), nullable=False),
)


def create_directory_replica() -> None:
    """For a service's migration: the replica tables in its own schema.

    Frozen DDL, not the tables above: a change to those is a new function here, called from a
    new migration of every service that keeps this copy."""
    import sqlalchemy as sa
    from alembic import op

    op.create_table(
        "replica_unit",
        sa.Column("unit_id", PgUUID(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("district", sa.String()),
        sa.PrimaryKeyConstraint("unit_id", name="replica_unit_pkey"),
    )
    op.create_index("ix_replica_unit_municipality_id", "replica_unit", ["municipality_id"])
    op.create_table(
        "replica_group",
        sa.Column("group_id", PgUUID(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("unit_id", PgUUID(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("target_group", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("group_id", name="replica_group_pkey"),
    )
    op.create_index("ix_replica_group_municipality_id", "replica_group", ["municipality_id"])
    op.create_index("ix_replica_group_unit_id", "replica_group", ["unit_id"])
    op.create_table(
        "replica_teacher_group",
        sa.Column("teacher_id", PgUUID(), nullable=False),
        sa.Column("group_id", PgUUID(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("teacher_id", "group_id", name="replica_teacher_group_pkey"),
    )
    op.create_index("ix_replica_teacher_group_group_id", "replica_teacher_group", ["group_id"])


async def _upsert(uow: UnitOfWork, table: Table, key: str, values: dict[str, object]) -> None:
    update = {name: value for name, value in values.items() if name != key}
    await uow.session.execute(
        insert(table).values(**values).on_conflict_do_update(index_elements=[key], set_=update)
    )


async def keep_unit(event: SchoolRegistered | SchoolUpdated, uow: UnitOfWork) -> None:
    school = event.payload
    values = {
        "unit_id": school.unit_id,
        "municipality_id": event.municipality_id,
        "name": school.name,
        "kind": school.kind.value,
        "district": school.district,
    }
    await _upsert(uow, unit, "unit_id", values)


async def forget_unit(event: SchoolRemoved, uow: UnitOfWork) -> None:
    await uow.session.execute(delete(unit).where(unit.c.unit_id == event.payload.unit_id))


async def keep_group(event: GroupRegistered | GroupUpdated, uow: UnitOfWork) -> None:
    g = event.payload
    values = {
        "group_id": g.group_id,
        "municipality_id": event.municipality_id,
        "unit_id": g.unit_id,
        "name": g.name,
        "target_group": g.target_group.value,
        "size": g.size,
    }
    await _upsert(uow, group, "group_id", values)


async def forget_group(event: GroupRemoved, uow: UnitOfWork) -> None:
    group_id = event.payload.group_id
    await uow.session.execute(delete(teacher_group).where(teacher_group.c.group_id == group_id))
    await uow.session.execute(delete(group).where(group.c.group_id == group_id))


async def assign(event: TeacherAssigned, uow: UnitOfWork) -> None:
    await uow.session.execute(
        insert(teacher_group)
        .values(
            teacher_id=event.payload.teacher_id,
            group_id=event.payload.group_id,
            municipality_id=event.municipality_id,
        )
        .on_conflict_do_nothing()
    )


async def unassign(event: TeacherUnassigned, uow: UnitOfWork) -> None:
    link = event.payload
    await uow.session.execute(
        delete(teacher_group).where(
            teacher_group.c.teacher_id == link.teacher_id, teacher_group.c.group_id == link.group_id
        )
    )


async def forget_teacher(event: TeacherRemoved, uow: UnitOfWork) -> None:
    teacher_id = event.payload.teacher_id
    await uow.session.execute(delete(teacher_group).where(teacher_group.c.teacher_id == teacher_id))


DIRECTORY_REPLICA: HandlerTable = {
    SchoolRegistered: [keep_unit],
    SchoolUpdated: [keep_unit],
    SchoolRemoved: [forget_unit],
    GroupRegistered: [keep_group],
    GroupUpdated: [keep_group],
    GroupRemoved: [forget_group],
    TeacherAssigned: [assign],
    TeacherUnassigned: [unassign],
    TeacherRemoved: [forget_teacher],
}


@dataclass(frozen=True)
class TaughtGroup:
    group_id: UUID
    unit_id: UUID
    name: str
    target_group: str
    size: int
    district: str | None


async def group_of_teacher(
    session: AsyncSession, teacher_id: UUID, group_id: UUID, municipality_id: str
) -> TaughtGroup | None:
    """The group, with its unit's district, if this teacher teaches it in this municipality."""
    query = (
        select(
            group.c.group_id,
            group.c.unit_id,
            group.c.name,
            group.c.target_group,
            group.c.size,
            unit.c.district,
        )
        .join(teacher_group, teacher_group.c.group_id == group.c.group_id)
        .outerjoin(unit, unit.c.unit_id == group.c.unit_id)
        .where(
            teacher_group.c.teacher_id == teacher_id,
            group.c.group_id == group_id,
            group.c.municipality_id == municipality_id,
        )
    )
    row = (await session.execute(query)).mappings().first()
    return TaughtGroup(**row) if row else None
