"""A local copy of the directory's teachers: how to reach them and in which language."""

from sqlalchemy import Column, MetaData, String, Table, delete
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.dialects.postgresql import insert

from kulturbro_contracts import TeacherRegistered, TeacherUpdated
from kulturbro_contracts.directory import TeacherRemoved
from kulturbro_runtime import HandlerTable, UnitOfWork

metadata = MetaData()

teacher = Table(
    "replica_teacher",
    metadata,
    Column("teacher_id", PgUUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False, index=True),
    Column("name", String, nullable=False),
    Column("email", String(320), nullable=False),
    Column("language", String(2), nullable=False),
    Column("invitations", String(20), nullable=False),
)


def create_teacher_replica() -> None:
    """For a service's migration: the replica table in its own schema.

    Frozen DDL, not the tables above: a change to those is a new function here, called from a
    new migration of every service that keeps this copy."""
    import sqlalchemy as sa
    from alembic import op

    op.create_table(
        "replica_teacher",
        sa.Column("teacher_id", PgUUID(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("invitations", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("teacher_id", name="replica_teacher_pkey"),
    )
    op.create_index("ix_replica_teacher_municipality_id", "replica_teacher", ["municipality_id"])


async def keep_teacher(event: TeacherRegistered | TeacherUpdated, uow: UnitOfWork) -> None:
    t = event.payload
    values = {
        "municipality_id": event.municipality_id,
        "name": t.name,
        "email": str(t.email),
        "language": t.language.value,
        "invitations": t.invitations.value,
    }
    await uow.session.execute(
        insert(teacher)
        .values(teacher_id=t.teacher_id, **values)
        .on_conflict_do_update(index_elements=["teacher_id"], set_=values)
    )


async def forget_teacher(event: TeacherRemoved, uow: UnitOfWork) -> None:
    await uow.session.execute(
        delete(teacher).where(teacher.c.teacher_id == event.payload.teacher_id)
    )


TEACHER_REPLICA: HandlerTable = {
    TeacherRegistered: [keep_teacher],
    TeacherUpdated: [keep_teacher],
    TeacherRemoved: [forget_teacher],
}
