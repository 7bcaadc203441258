"""The notify service's delivery log: one row per message to one teacher, never two."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Identity,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import UUID

metadata = MetaData()

delivery = Table(
    "delivery",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("municipality_id", String(64), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("subject_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("teacher_id", UUID(as_uuid=True), nullable=False),
    Column("email", String(320), nullable=False),
    Column("subject", String, nullable=False),
    Column("body", String, nullable=False),
    Column("groups", JSON, nullable=False),
    # pending | sent | failed
    Column("status", String(10), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("reason", String),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    # The guarantee: whatever is redelivered or restarted, one message of a kind per teacher.
    UniqueConstraint("kind", "subject_id", "teacher_id"),
)
