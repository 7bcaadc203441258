"""Organizers, their events and occurrences, and local copies of groups and their teachers."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from kulturbro_replicas.directory import create_directory_replica

revision = "0002"
down_revision = "0001"


def _moment(name: str, **options: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **options)


def upgrade() -> None:
    op.create_table(
        "organizer",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("contact_email", sa.String(320), nullable=False),
        _moment("created_at", nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "organizer_municipality",
        sa.Column("organizer_id", UUID(as_uuid=True), sa.ForeignKey("organizer.id")),
        sa.Column("municipality_id", sa.String(64)),
        sa.PrimaryKeyConstraint("organizer_id", "municipality_id"),
    )
    op.create_table(
        "event",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column(
            "organizer_id", UUID(as_uuid=True), sa.ForeignKey("organizer.id"), nullable=False
        ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("title", JSONB, nullable=False),
        sa.Column("description", JSONB, nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("target_groups", ARRAY(sa.String(40)), nullable=False),
        sa.Column("duration_minutes", sa.Integer, nullable=False),
        sa.Column("venue", JSONB, nullable=False),
        sa.Column("max_group_size", sa.Integer, nullable=False),
        sa.Column("adults_per_group", sa.Integer, nullable=False),
        sa.Column("needed_occurrences", sa.Integer, nullable=False),
        sa.Column("booking_policy", sa.String(40), nullable=False),
        _moment("booking_opens_at"),
        _moment("booking_closes_at"),
        sa.Column("cancellation_deadline_days", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        _moment("created_at", nullable=False, server_default=sa.func.now()),
        _moment("updated_at", nullable=False, server_default=sa.func.now()),
    )
    op.create_index("event_by_municipality", "event", ["municipality_id", "status"])
    op.create_index("event_by_organizer", "event", ["organizer_id", "municipality_id"])
    op.create_index("event_by_target_group", "event", ["target_groups"], postgresql_using="gin")
    op.create_table(
        "occurrence",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "event_id",
            UUID(as_uuid=True),
            sa.ForeignKey("event.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _moment("starts_at", nullable=False),
        _moment("ends_at", nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("cancelled", sa.Boolean, nullable=False),
        sa.Column("booked_seats", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("occurrence_by_event", "occurrence", ["event_id", "starts_at"])
    create_directory_replica()
