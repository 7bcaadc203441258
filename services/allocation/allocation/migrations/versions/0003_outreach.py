"""Outreach: held-back seats per event, the offers made of them, and the municipalities' zones."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from kulturbro_replicas.municipalities import create_municipality_replica

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    create_municipality_replica()
    op.add_column(
        "allocation_event",
        sa.Column("held_back_share", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("allocation_event", sa.Column("held_back_release_on", sa.Date()))
    op.add_column("allocation_event", sa.Column("quota_release_on", sa.Date()))
    op.add_column(
        "allocation_event", sa.Column("held_back_released_at", sa.DateTime(timezone=True))
    )
    op.create_table(
        "offer",
        sa.Column("offer_id", UUID(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("event_id", UUID(), nullable=False),
        sa.Column("occurrence_id", UUID(), nullable=False),
        sa.Column("group_id", UUID(), nullable=False),
        sa.Column("unit_id", UUID(), nullable=False),
        sa.Column("pupils", sa.Integer(), nullable=False),
        sa.Column("adults", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("booking_id", UUID()),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("offer_id", name="offer_pkey"),
    )
    op.create_index("ix_offer_event_id", "offer", ["event_id"])
    op.create_index("one_offer_per_group_and_event", "offer", ["event_id", "group_id"], unique=True)
