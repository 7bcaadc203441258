"""When each teacher left the directory, so that copies of her contact data are erased after the
retention period."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "teacher_departure",
        sa.Column("teacher_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_teacher_departure_left_at", "teacher_departure", ["left_at"])
