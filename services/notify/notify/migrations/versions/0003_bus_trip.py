"""The culture bus as the teacher was last told of it, so a change or cancellation names it."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column("booking", sa.Column("bus_trip", sa.JSON(), nullable=True))
