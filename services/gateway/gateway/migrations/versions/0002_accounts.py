"""Accounts, refresh tokens, sign-in links, audit log."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True, index=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("municipality_id", sa.String(64)),
        sa.Column("organizer_id", sa.String(64)),
        sa.Column("subject", sa.String(64)),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("password_hash", sa.String),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "refresh_token",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("account_id", UUID(as_uuid=True), sa.ForeignKey("account.id"), index=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "magic_link",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("account_id", UUID(as_uuid=True), sa.ForeignKey("account.id")),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", UUID(as_uuid=True)),
        sa.Column("role", sa.String(20)),
        sa.Column("municipality_id", sa.String(64), index=True),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(2000), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
    )
