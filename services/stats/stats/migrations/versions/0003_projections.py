"""Projections of every service's events: the directory, the offering, bookings, evaluations."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    # The units already copied are rebuilt from the beginning of the topics with the rest.
    op.drop_table("known_unit")
    op.create_table(
        "municipality",
        sa.Column("municipality_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column(
            "publishes_open_data", sa.Boolean, nullable=False, server_default=sa.text("true")
        ),
    )
    op.create_table(
        "school",
        sa.Column("unit_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("district", sa.String),
    )
    op.create_index("ix_school_municipality_id", "school", ["municipality_id"])
    op.create_table(
        "pupil_group",
        sa.Column("group_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("unit_id", UUID(as_uuid=True), nullable=False),
        sa.Column("target_group", sa.String(40), nullable=False),
        sa.Column("pupils", sa.Integer, nullable=False),
    )
    op.create_index("ix_pupil_group_municipality_id", "pupil_group", ["municipality_id"])
    op.create_table(
        "organizer",
        sa.Column("organizer_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("name", sa.String, nullable=False),
    )
    op.create_table(
        "offered_event",
        sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("organizer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("title", JSONB, nullable=False),
        sa.Column("target_groups", ARRAY(sa.String(40)), nullable=False),
        sa.Column("cancelled", sa.Boolean, nullable=False, server_default=sa.text("false")),
    )
    op.create_index("ix_offered_event_municipality_id", "offered_event", ["municipality_id"])
    op.create_table(
        "offered_occurrence",
        sa.Column("occurrence_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("cancelled", sa.Boolean, nullable=False, server_default=sa.text("false")),
    )
    op.create_index(
        "ix_offered_occurrence_municipality_id", "offered_occurrence", ["municipality_id"]
    )
    op.create_table(
        "booking",
        sa.Column("booking_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("group_id", UUID(as_uuid=True)),
        sa.Column("unit_id", UUID(as_uuid=True)),
        sa.Column("first_choice", UUID(as_uuid=True)),
        sa.Column("pupils", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("adults", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("wants_bus", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("occurrence_id", UUID(as_uuid=True)),
        sa.Column("seats", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("allocated", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("waitlisted", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("rejected", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("cancelled", sa.Boolean, nullable=False, server_default=sa.text("false")),
    )
    op.create_index("booking_by_municipality", "booking", ["municipality_id", "event_id"])
    op.create_table(
        "evaluation",
        sa.Column("booking_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("occurrence_id", UUID(as_uuid=True), nullable=False),
        sa.Column("group_id", UUID(as_uuid=True), nullable=False),
        sa.Column("unit_id", UUID(as_uuid=True), nullable=False),
        sa.Column("came", sa.Boolean, nullable=False),
        sa.Column("pupils_present", sa.Integer),
        sa.Column("scores", JSONB, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
    )
    op.create_index("evaluation_by_municipality", "evaluation", ["municipality_id", "event_id"])
    op.create_table(
        "freshness",
        sa.Column("municipality_id", sa.String(64), primary_key=True),
        sa.Column("fresh_as_of", sa.DateTime(timezone=True), nullable=False),
    )
