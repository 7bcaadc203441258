"""Teachers' requests to have their data deleted, for their municipality's administrator."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "deletion_request",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("account_id", UUID(as_uuid=True), nullable=False),
        sa.Column("subject", sa.String(64)),
        sa.Column("municipality_id", sa.String(64)),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
    )
    op.create_index("ix_deletion_request_account_id", "deletion_request", ["account_id"])
    op.create_index("ix_deletion_request_municipality_id", "deletion_request", ["municipality_id"])
