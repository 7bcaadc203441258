"""Who came to each visit, as its organizer recorded it."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column("booking", sa.Column("attended", sa.Boolean))
    op.add_column("booking", sa.Column("pupils_attended", sa.Integer))
    op.add_column("booking", sa.Column("attendance_recorded_at", sa.DateTime(timezone=True)))
