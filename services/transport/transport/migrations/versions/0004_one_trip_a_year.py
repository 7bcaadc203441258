"""At most one bus trip per group per school year: the group of each booking, and the booking
that holds each group's trip of a school year."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column(
        "bus_rules",
        sa.Column(
            "one_trip_per_school_year", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    op.add_column("bus_booking", sa.Column("group_id", UUID()))
    op.create_table(
        "group_trip",
        sa.Column("group_id", UUID(), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("booking_id", UUID(), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "school_year", name="group_trip_pkey"),
        sa.UniqueConstraint("booking_id", name="group_trip_booking_id_key"),
    )
