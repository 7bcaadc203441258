"""The delivery log, notify's own copies, and replicas of the directory and catalog."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from kulturbro_replicas.catalog import create_catalog_replica
from kulturbro_replicas.directory import create_directory_replica
from kulturbro_replicas.teachers import create_teacher_replica

revision = "0002"
down_revision = "0001"


def _moment(name: str, **options: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **options)


def upgrade() -> None:
    create_directory_replica()
    create_teacher_replica()
    create_catalog_replica()
    op.create_table(
        "municipality",
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id", name="municipality_pkey"),
    )
    op.create_table(
        "organizer",
        sa.Column("organizer_id", UUID(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.PrimaryKeyConstraint("organizer_id", "municipality_id", name="organizer_pkey"),
    )
    op.create_table(
        "event_details",
        sa.Column("event_id", UUID(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("organizer_id", UUID(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        _moment("published_at", nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="event_details_pkey"),
    )
    op.create_index("ix_event_details_municipality_id", "event_details", ["municipality_id"])
    op.create_table(
        "booking",
        sa.Column("booking_id", UUID(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("event_id", UUID(), nullable=False),
        sa.Column("group_id", UUID(), nullable=False),
        sa.Column("unit_id", UUID(), nullable=False),
        sa.Column("teacher_id", UUID(), nullable=False),
        sa.Column("occurrence_ids", sa.JSON(), nullable=False),
        sa.Column("pupils", sa.Integer(), nullable=False),
        sa.Column("adults", sa.Integer(), nullable=False),
        sa.Column("wants_bus", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("occurrence_id", UUID()),
        sa.Column("seats", sa.Integer()),
        _moment("starts_at"),
        _moment("ends_at"),
        sa.Column("calendar_sequence", sa.Integer(), nullable=False, server_default="0"),
        _moment("requested_at", nullable=False, server_default=sa.func.now()),
        sa.Column("organizer_told", sa.Boolean(), nullable=False, server_default="false"),
        sa.Column("reminded", sa.Boolean(), nullable=False, server_default="false"),
        sa.Column("evaluation_requested", sa.Boolean(), nullable=False, server_default="false"),
        sa.PrimaryKeyConstraint("booking_id", name="booking_pkey"),
    )
    op.create_index("ix_booking_event_id", "booking", ["event_id"])
    op.create_index("ix_booking_occurrence_id", "booking", ["occurrence_id"])
    op.create_table(
        "delivery",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("cause_id", UUID(), nullable=False),
        sa.Column("subject_id", UUID(), nullable=False),
        sa.Column("booking_id", UUID()),
        sa.Column("recipient_id", UUID(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        _moment("next_attempt_at", nullable=False, server_default=sa.func.now()),
        sa.Column("claimed_by", sa.BigInteger()),
        sa.Column("reason", sa.String()),
        sa.Column("subject", sa.String()),
        _moment("created_at", nullable=False, server_default=sa.func.now()),
        _moment("sent_at"),
        sa.PrimaryKeyConstraint("id", name="delivery_pkey"),
        sa.UniqueConstraint(
            "kind", "cause_id", "recipient_id", name="delivery_kind_cause_id_recipient_id_key"
        ),
    )
    op.create_index("ix_delivery_municipality_id", "delivery", ["municipality_id"])
    op.create_index("ix_delivery_subject_id", "delivery", ["subject_id"])
    op.create_index(
        "delivery_due",
        "delivery",
        ["next_attempt_at", "id"],
        postgresql_where=sa.text("status = 'pending'"),
    )
