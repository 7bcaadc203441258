"""Attendance of booked visits, as their organizers record it."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "attendance",
        sa.Column("booking_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False, index=True),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("came", sa.Boolean, nullable=False),
        sa.Column("pupils_present", sa.Integer),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
