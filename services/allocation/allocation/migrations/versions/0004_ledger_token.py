"""The event's ledger token: a process takes up the ledger it kept while the token is its own."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column(
        "allocation_event",
        sa.Column("ledger_token", sa.BigInteger(), nullable=False, server_default="0"),
    )
