"""A depot of its own for any bus of the fleet, beside the municipality's."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column("bus_rules", sa.Column("depots", sa.JSON()))
