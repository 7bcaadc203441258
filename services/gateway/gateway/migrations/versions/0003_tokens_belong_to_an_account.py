"""Refresh tokens and sign-in links always belong to an account, as the model says: 0002 left
account_id nullable by omission, though nothing ever wrote one without it."""

from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    for table in ("refresh_token", "magic_link"):
        op.alter_column(table, "account_id", existing_type=UUID(), nullable=False)
