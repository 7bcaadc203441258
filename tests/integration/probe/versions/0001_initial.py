"""The probe's outbox, inbox and effect table."""

import sqlalchemy as sa
from alembic import op

from kulturbro_runtime.messaging_tables import create_messaging_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "effect",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.Uuid, nullable=False),
        sa.Column("name", sa.String, nullable=False),
    )
