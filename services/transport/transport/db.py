"""Transport's own tables: the fleet and schools as the directory tells them, the municipality's
bus rules, the bookings that want a bus, what each class was told, and each day's plan."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Time,
    false,
)
from sqlalchemy.dialects.postgresql import UUID

metadata = MetaData()

fleet = Table(
    "fleet",
    metadata,
    Column("municipality_id", String(64), primary_key=True),
    Column(
        "buses", JSON, nullable=False
    ),  # name, seats, wheelchair_places, as the directory has it
)

school = Table(
    "school",
    metadata,
    Column("unit_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False, index=True),
    Column("name", String, nullable=False),
    Column("address", String),
    Column("latitude", Float),
    Column("longitude", Float),
)

bus_rules = Table(
    "bus_rules",
    metadata,
    Column("municipality_id", String(64), primary_key=True),
    Column("depot_latitude", Float),
    Column("depot_longitude", Float),
    Column("opens", Time, nullable=False),
    Column("closes", Time, nullable=False),
    Column("earliest_pickup", Time, nullable=False),
    Column("latest_dropoff", Time, nullable=False),
    Column("min_distance_m", Integer, nullable=False),
    Column("booking_lead_days", Integer, nullable=False),
    Column("arrive_before_min", Integer, nullable=False),
    Column("leave_after_min", Integer, nullable=False),
    Column("max_ride_min", Integer, nullable=False),
    Column("frozen_days", Integer, nullable=False),
    Column("speed_kmh", Integer, nullable=False),
    Column("operator_email", String(320)),
    Column("depots", JSON),  # buses with a depot of their own: bus, latitude, longitude
    Column("one_trip_per_school_year", Boolean, nullable=False, server_default=false()),
    Column("run_sheet_at", Time, nullable=False, server_default="18:00"),
    Column("run_sheet_days_before", Integer, nullable=False, server_default="1"),
)

bus_booking = Table(
    "bus_booking",
    metadata,
    Column("booking_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("unit_id", UUID(as_uuid=True), nullable=False),
    Column("teacher_id", UUID(as_uuid=True), nullable=False),
    Column("pupils", Integer, nullable=False),
    Column("adults", Integer, nullable=False),
    Column("wheelchair_places", Integer, nullable=False),
    Column("wants_bus", Boolean, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False),
    Column("occurrence_id", UUID(as_uuid=True), index=True),
    Column("day", Date),
    Column("trip", JSON),  # what the class was told: its bus and times, or why it has none
    Column("group_id", UUID(as_uuid=True), index=True),
)

# The booking that holds each group's bus trip of a school year (named by the year it starts).
group_trip = Table(
    "group_trip",
    metadata,
    Column("group_id", UUID(as_uuid=True), primary_key=True),
    Column("school_year", Integer, primary_key=True),
    Column("municipality_id", String(64), nullable=False),
    Column("booking_id", UUID(as_uuid=True), nullable=False, unique=True),
)

day_plan = Table(
    "day_plan",
    metadata,
    Column("municipality_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("plan", JSON, nullable=False),
    Column("planned_at", DateTime(timezone=True), nullable=False),
)

# A class the administrator put on a bus by hand: later plans of its day keep it there.
placement = Table(
    "placement",
    metadata,
    Column("booking_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False),
    Column("day", Date, nullable=False),
    Column("bus", String(200), nullable=False),
    Column("moved_by", String(320), nullable=False),
    Column("moved_at", DateTime(timezone=True), nullable=False),
    Index("ix_placement_municipality_day", "municipality_id", "day"),
)

# Every run sheet sent to the operator, one row per revision: what was sent, so that a sheet goes
# out once and a changed day goes out again as the next revision.
run_sheet = Table(
    "run_sheet",
    metadata,
    Column("municipality_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("revision", Integer, primary_key=True),
    Column("sheet", JSON, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
)
