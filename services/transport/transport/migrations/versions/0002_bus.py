"""The culture bus: fleets, schools, rules, bookings that want a bus, day plans; replicas of the
catalog and of municipalities' time zones."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from kulturbro_replicas.catalog import create_catalog_replica
from kulturbro_replicas.municipalities import create_municipality_replica

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    create_catalog_replica()
    create_municipality_replica()
    op.create_table(
        "fleet",
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("buses", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id", name="fleet_pkey"),
    )
    op.create_table(
        "school",
        sa.Column("unit_id", UUID(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("address", sa.String()),
        sa.Column("latitude", sa.Float()),
        sa.Column("longitude", sa.Float()),
        sa.PrimaryKeyConstraint("unit_id", name="school_pkey"),
    )
    op.create_index("ix_school_municipality_id", "school", ["municipality_id"])
    op.create_table(
        "bus_rules",
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("depot_latitude", sa.Float()),
        sa.Column("depot_longitude", sa.Float()),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.Column("earliest_pickup", sa.Time(), nullable=False),
        sa.Column("latest_dropoff", sa.Time(), nullable=False),
        sa.Column("min_distance_m", sa.Integer(), nullable=False),
        sa.Column("booking_lead_days", sa.Integer(), nullable=False),
        sa.Column("arrive_before_min", sa.Integer(), nullable=False),
        sa.Column("leave_after_min", sa.Integer(), nullable=False),
        sa.Column("max_ride_min", sa.Integer(), nullable=False),
        sa.Column("frozen_days", sa.Integer(), nullable=False),
        sa.Column("speed_kmh", sa.Integer(), nullable=False),
        sa.Column("operator_email", sa.String(320)),
        sa.PrimaryKeyConstraint("municipality_id", name="bus_rules_pkey"),
    )
    op.create_table(
        "bus_booking",
        sa.Column("booking_id", UUID(), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("event_id", UUID(), nullable=False),
        sa.Column("unit_id", UUID(), nullable=False),
        sa.Column("teacher_id", UUID(), nullable=False),
        sa.Column("pupils", sa.Integer(), nullable=False),
        sa.Column("adults", sa.Integer(), nullable=False),
        sa.Column("wheelchair_places", sa.Integer(), nullable=False),
        sa.Column("wants_bus", sa.Boolean(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("occurrence_id", UUID()),
        sa.Column("day", sa.Date()),
        sa.Column("trip", sa.JSON()),
        sa.PrimaryKeyConstraint("booking_id", name="bus_booking_pkey"),
    )
    op.create_index("ix_bus_booking_occurrence_id", "bus_booking", ["occurrence_id"])
    op.create_table(
        "day_plan",
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id", "day", name="day_plan_pkey"),
    )
