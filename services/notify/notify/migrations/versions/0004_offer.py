"""Offers of held-back seats, so their teachers are told once and reminded before the deadline."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "offer",
        sa.Column("offer_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("event_id", UUID(as_uuid=True)),
        sa.Column("occurrence_id", UUID(as_uuid=True)),
        sa.Column("group_id", UUID(as_uuid=True)),
        sa.Column("seats", sa.Integer),
        sa.Column("offered_at", sa.DateTime(timezone=True)),
        sa.Column("deadline", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reminded", sa.Boolean, nullable=False, server_default=sa.text("false")),
    )
    op.create_index(
        "offer_to_remind",
        "offer",
        ["deadline"],
        postgresql_where=sa.text("status = 'offered' AND NOT reminded"),
    )
