"""A class the administrator moved to another bus by hand: which bus, who moved it, and when."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "placement",
        sa.Column("booking_id", UUID(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("bus", sa.String(200), nullable=False),
        sa.Column("moved_by", sa.String(320), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("booking_id", name="placement_pkey"),
    )
    op.create_index("ix_placement_municipality_day", "placement", ["municipality_id", "day"])
