"""Seat pools, requests and their decisions, draws; replicas of the directory and catalog."""

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
        "allocation_event",
        sa.Column("event_id", UUID(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("policy", sa.String(20), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True)),
        sa.Column("released_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("event_id", name="allocation_event_pkey"),
    )
    op.create_index("ix_allocation_event_municipality_id", "allocation_event", ["municipality_id"])
    op.create_table(
        "seat_pool",
        sa.Column("occurrence_id", UUID(), nullable=False),
        sa.Column("event_id", UUID(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("occurrence_id", name="seat_pool_pkey"),
        sa.CheckConstraint("confirmed >= 0 and confirmed <= capacity", name="never_oversold"),
    )
    op.create_index("ix_seat_pool_event_id", "seat_pool", ["event_id"])
    op.create_table(
        "seat_request",
        sa.Column("booking_id", UUID(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("event_id", UUID(), nullable=False),
        sa.Column("group_id", UUID(), nullable=False),
        sa.Column("unit_id", UUID(), nullable=False),
        sa.Column("teacher_id", UUID(), nullable=False),
        sa.Column("district", sa.String()),
        sa.Column("pupils", sa.Integer(), nullable=False),
        sa.Column("adults", sa.Integer(), nullable=False),
        sa.Column("occurrence_ids", sa.JSON(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("occurrence_id", UUID()),
        sa.Column("basis", sa.String(20)),
        sa.Column("position", sa.Integer()),
        sa.Column("rank", sa.Integer()),
        sa.Column("rank_of", sa.Integer()),
        sa.Column("reason", sa.String(40)),
        sa.Column("explanation", sa.JSON(), nullable=False, server_default=sa.text("'{}'::json")),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("booking_id", name="seat_request_pkey"),
    )
    op.create_index("ix_seat_request_event_id", "seat_request", ["event_id"])
    op.create_index(
        "one_confirmed_booking_per_group",
        "seat_request",
        ["event_id", "group_id"],
        unique=True,
        postgresql_where=sa.text("status = 'confirmed'"),
    )
    op.create_table(
        "draw",
        sa.Column("event_id", UUID(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="draw_pkey"),
    )
