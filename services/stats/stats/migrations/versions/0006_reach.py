"""Reach: the culture office's goal, each group's name for the list of groups not reached, and the
offer of held-back seats a booking accepted."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "reach_goal",
        sa.Column("municipality_id", sa.String(64), primary_key=True),
        sa.Column("visits_per_group", sa.Integer, nullable=False),
        sa.Column("groups_percent", sa.Integer, nullable=False),
    )
    op.add_column("pupil_group", sa.Column("name", sa.String))
    op.add_column("booking", sa.Column("offer_id", UUID(as_uuid=True)))
