"""Offers of held-back seats, as teachers accept them."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "offer",
        sa.Column("offer_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False, index=True),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("occurrence_id", UUID(as_uuid=True), nullable=False),
        sa.Column("group_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("unit_id", UUID(as_uuid=True), nullable=False),
        sa.Column("pupils", sa.Integer, nullable=False),
        sa.Column("adults", sa.Integer, nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("booking_id", UUID(as_uuid=True)),
        sa.Column("explanation", sa.JSON, nullable=False),
    )
