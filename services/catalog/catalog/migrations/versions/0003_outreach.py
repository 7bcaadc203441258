"""Outreach settings per event: the share of seats held back, and when they and quotas give way."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column(
        "event",
        sa.Column("held_back_share", sa.Integer, nullable=False, server_default="15"),
    )
    op.add_column("event", sa.Column("held_back_release_on", sa.Date))
    op.add_column("event", sa.Column("quota_release_on", sa.Date))
