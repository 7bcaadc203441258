"""The operator's run sheets: when they go out (two bus rules) and each revision sent."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.add_column(
        "bus_rules",
        sa.Column("run_sheet_at", sa.Time(), nullable=False, server_default="18:00"),
    )
    op.add_column(
        "bus_rules",
        sa.Column("run_sheet_days_before", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_table(
        "run_sheet",
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("sheet", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id", "day", "revision", name="run_sheet_pkey"),
    )
