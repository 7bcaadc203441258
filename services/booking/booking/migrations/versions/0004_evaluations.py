"""Evaluations of booked visits, one per booking, kept at their latest revision."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "evaluation",
        sa.Column("booking_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False, index=True),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("occurrence_id", UUID(as_uuid=True), nullable=False),
        sa.Column("group_id", UUID(as_uuid=True), nullable=False),
        sa.Column("unit_id", UUID(as_uuid=True), nullable=False),
        sa.Column("came", sa.Boolean, nullable=False),
        sa.Column("pupils_present", sa.Integer),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("comment", sa.String, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("first_given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
    )
