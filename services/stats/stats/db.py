"""The statistics service's tables, in its own schema: projections of what the others tell it.

Counts only: no teacher, pupil or contact person is ever kept here. Every row belongs to one
municipality and every query says which.
"""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

metadata = MetaData()

municipality = Table(
    "municipality",
    metadata,
    Column("municipality_id", String(64), primary_key=True),
    Column("name", String, nullable=False),
    Column("time_zone", String(64), nullable=False),
    # The administrator's choice; the directory's events never touch it.
    Column("publishes_open_data", Boolean, nullable=False, server_default="true"),
)

school = Table(
    "school",
    metadata,
    Column("unit_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False, index=True),
    Column("name", String, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("district", String),
)

pupil_group = Table(
    "pupil_group",
    metadata,
    Column("group_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False, index=True),
    Column("unit_id", UUID(as_uuid=True), nullable=False),
    Column("target_group", String(40), nullable=False),
    Column("pupils", Integer, nullable=False),
    Column("name", String),  # what the directory calls it ("3A"): a class, never a person
)

organizer = Table(
    "organizer",
    metadata,
    Column("organizer_id", UUID(as_uuid=True), primary_key=True),
    Column("name", String, nullable=False),
)

offered_event = Table(
    "offered_event",
    metadata,
    Column("event_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False, index=True),
    Column("organizer_id", UUID(as_uuid=True), nullable=False),
    Column("title", JSONB, nullable=False),
    Column("target_groups", ARRAY(String(40)), nullable=False),
    Column("cancelled", Boolean, nullable=False, server_default="false"),
)

offered_occurrence = Table(
    "offered_occurrence",
    metadata,
    Column("occurrence_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False, index=True),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("cancelled", Boolean, nullable=False, server_default="false"),
)

# One row per booking, filled in by whichever of booking's and allocation's events comes first:
# they travel on different topics, so a decision may arrive before the request it answers.
booking = Table(
    "booking",
    metadata,
    Column("booking_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("group_id", UUID(as_uuid=True)),
    Column("unit_id", UUID(as_uuid=True)),
    Column("first_choice", UUID(as_uuid=True)),
    Column("pupils", Integer, nullable=False, server_default="0"),
    Column("adults", Integer, nullable=False, server_default="0"),
    Column("wants_bus", Boolean, nullable=False, server_default="false"),
    Column("occurrence_id", UUID(as_uuid=True)),
    Column("seats", Integer, nullable=False, server_default="0"),
    Column("allocated", Boolean, nullable=False, server_default="false"),
    Column("waitlisted", Boolean, nullable=False, server_default="false"),
    Column("rejected", Boolean, nullable=False, server_default="false"),
    Column("cancelled", Boolean, nullable=False, server_default="false"),
    # As the organizer recorded it (the latest record counts); none until then.
    Column("attended", Boolean),
    Column("pupils_attended", Integer),
    Column("attendance_recorded_at", DateTime(timezone=True)),
    # Whether the transport service has a culture bus planned for the visit.
    Column("bus_scheduled", Boolean, nullable=False, server_default="false"),
    # The offer of held-back seats this booking accepted, if it came from one.
    Column("offer_id", UUID(as_uuid=True)),
    Index("booking_by_municipality", "municipality_id", "event_id"),
)

evaluation = Table(
    "evaluation",
    metadata,
    Column("booking_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("occurrence_id", UUID(as_uuid=True), nullable=False),
    Column("group_id", UUID(as_uuid=True), nullable=False),
    Column("unit_id", UUID(as_uuid=True), nullable=False),
    Column("came", Boolean, nullable=False),
    Column("pupils_present", Integer),
    Column("scores", JSONB, nullable=False),
    Column("comment", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Index("evaluation_by_municipality", "municipality_id", "event_id"),
)

# What the culture office aims at: every group (a share of them) so many visits a school year.
reach_goal = Table(
    "reach_goal",
    metadata,
    Column("municipality_id", String(64), primary_key=True),
    Column("visits_per_group", Integer, nullable=False),
    Column("groups_percent", Integer, nullable=False),
)

# How fresh each municipality's figures are: when the latest fact applied had happened.
freshness = Table(
    "freshness",
    metadata,
    Column("municipality_id", String(64), primary_key=True),
    Column("fresh_as_of", DateTime(timezone=True), nullable=False),
)
