"""Bookings, and the replicas of the directory and catalog that requests are checked against."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from kulturbro_replicas.catalog import create_catalog_replica
from kulturbro_replicas.directory import create_directory_replica

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    create_directory_replica()
    create_catalog_replica()
    op.create_table(
        "booking",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False, index=True),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("group_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("unit_id", UUID(as_uuid=True), nullable=False),
        sa.Column("teacher_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("occurrence_ids", sa.JSON, nullable=False),
        sa.Column("pupils", sa.Integer, nullable=False),
        sa.Column("adults", sa.Integer, nullable=False),
        sa.Column("wheelchair_places", sa.Integer, nullable=False),
        sa.Column("wants_bus", sa.Boolean, nullable=False),
        sa.Column("note", sa.String, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("occurrence_id", UUID(as_uuid=True)),
        sa.Column("waitlist_position", sa.Integer),
        sa.Column("explanation", sa.JSON, nullable=False),
        sa.Column("idempotency_key", sa.String(200)),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("teacher_id", "idempotency_key"),
    )
