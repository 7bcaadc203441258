"""Municipalities; groups and teachers; where each imported row came from.

Enum columns now hold their values ('school'), as people read them, instead of Python's names.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0003"
down_revision = "0002"


def _imported() -> list[sa.Column[str]]:
    return [sa.Column("source", sa.String(20)), sa.Column("external_id", sa.String(200))]


def _one_per_source_id(table: str) -> None:
    op.create_unique_constraint(
        f"{table}_source_id", table, ["municipality_id", "source", "external_id"]
    )


def upgrade() -> None:
    op.create_table(
        "municipality",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("languages", sa.JSON, nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("districts", sa.JSON, nullable=False),
        sa.Column("default_booking_policy", sa.String(40), nullable=False),
        sa.Column("bus_fleet", sa.JSON, nullable=False),
    )
    op.execute("update unit set kind = lower(kind)")
    for column in _imported():
        op.add_column("unit", column)
    _one_per_source_id("unit")
    op.create_table(
        "group",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False, index=True),
        sa.Column(
            "unit_id", UUID(as_uuid=True), sa.ForeignKey("unit.id"), nullable=False, index=True
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("target_group", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        *_imported(),
    )
    _one_per_source_id("group")
    op.create_table(
        "teacher",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("language", sa.String(40), nullable=False),
        sa.Column("invitations", sa.String(40), nullable=False),
        *_imported(),
    )
    _one_per_source_id("teacher")
    op.create_table(
        "teacher_group",
        sa.Column("teacher_id", UUID(as_uuid=True), sa.ForeignKey("teacher.id"), primary_key=True),
        sa.Column(
            "group_id",
            UUID(as_uuid=True),
            sa.ForeignKey("group.id"),
            primary_key=True,
            index=True,
        ),
    )
