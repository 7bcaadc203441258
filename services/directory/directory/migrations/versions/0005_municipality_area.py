"""A municipality's area, a box of latitudes and longitudes its imported units must lie in."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("municipality", sa.Column("area", sa.JSON()))
