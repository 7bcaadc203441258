"""Whether a culture bus is planned for each booked visit, as transport tells it."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column(
        "booking",
        sa.Column("bus_scheduled", sa.Boolean, nullable=False, server_default=sa.text("false")),
    )
