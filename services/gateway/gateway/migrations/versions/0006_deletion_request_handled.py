"""A deletion request marked handled by the culture office: who, when, and a note."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.add_column("deletion_request", sa.Column("handled_at", sa.DateTime(timezone=True)))
    op.add_column("deletion_request", sa.Column("handled_by", sa.String(320)))
    op.add_column(
        "deletion_request",
        sa.Column("handled_note", sa.String(2000), nullable=False, server_default=""),
    )
