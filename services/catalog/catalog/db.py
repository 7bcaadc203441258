"""The catalog's tables, in its own schema: organizers, events, occurrences, and local copies of
the directory's groups and teachers' assignments."""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

metadata = MetaData()

organizer = Table(
    "organizer",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("contact_email", String(320), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

organizer_municipality = Table(
    "organizer_municipality",
    metadata,
    Column("organizer_id", UUID(as_uuid=True), ForeignKey("organizer.id"), primary_key=True),
    Column("municipality_id", String(64), primary_key=True),
)

event = Table(
    "event",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False),
    Column("organizer_id", UUID(as_uuid=True), ForeignKey("organizer.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("title", JSONB, nullable=False),
    Column("description", JSONB, nullable=False),
    Column("category", String(40), nullable=False),
    Column("target_groups", ARRAY(String(40)), nullable=False),
    Column("duration_minutes", Integer, nullable=False),
    Column("venue", JSONB, nullable=False),
    Column("max_group_size", Integer, nullable=False),
    Column("adults_per_group", Integer, nullable=False),
    Column("needed_occurrences", Integer, nullable=False),
    Column("booking_policy", String(40), nullable=False),
    Column("booking_opens_at", DateTime(timezone=True)),
    Column("booking_closes_at", DateTime(timezone=True)),
    Column("cancellation_deadline_days", Integer, nullable=False),
    Column("held_back_share", Integer, nullable=False, server_default="15"),
    Column("held_back_release_on", Date),
    Column("quota_release_on", Date),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("event_by_municipality", "municipality_id", "status"),
    Index("event_by_organizer", "organizer_id", "municipality_id"),
    Index("event_by_target_group", "target_groups", postgresql_using="gin"),
)

occurrence = Table(
    "occurrence",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column(
        "event_id", UUID(as_uuid=True), ForeignKey("event.id", ondelete="CASCADE"), nullable=False
    ),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("language", String(2), nullable=False),
    Column("cancelled", Boolean, nullable=False),
    # Kept by the allocation's SeatsAllocated and SeatsReleased, never by the organizer.
    Column("booked_seats", Integer, nullable=False, server_default="0"),
    Index("occurrence_by_event", "event_id", "starts_at"),
)
