"""The allocation's own tables. The seat pool's CHECK is the last word on overselling: whatever a
process believes, the database confirms no more seats than an occurrence has."""

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    text,
)
from sqlalchemy.dialects.postgresql import UUID

metadata = MetaData()

allocation_event = Table(
    "allocation_event",
    metadata,
    Column("event_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False, index=True),
    Column("policy", String(20), nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("drawn_at", DateTime(timezone=True)),
    Column("released_at", DateTime(timezone=True)),
    # Outreach: the share held back from the draw, and when held seats and quotas give way
    # (none: the defaults counted from the window's close).
    Column("held_back_share", Integer, nullable=False, server_default="0"),
    Column("held_back_release_on", Date),
    Column("quota_release_on", Date),
    Column("held_back_released_at", DateTime(timezone=True)),
    # Written anew by every transaction that opens the event's ledger (allocation.ledger).
    Column("ledger_token", BigInteger, nullable=False, server_default="0"),
)

offer = Table(
    "offer",
    metadata,
    Column("offer_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("occurrence_id", UUID(as_uuid=True), nullable=False),
    Column("group_id", UUID(as_uuid=True), nullable=False),
    Column("unit_id", UUID(as_uuid=True), nullable=False),
    Column("pupils", Integer, nullable=False),
    Column("adults", Integer, nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    # open | accepted | expired | withdrawn (allocation.domain.outreach.OfferState)
    Column("state", String(20), nullable=False),
    Column("booking_id", UUID(as_uuid=True)),
    Column("offered_at", DateTime(timezone=True), nullable=False),
    # A group is offered an event's held seats once.
    Index("one_offer_per_group_and_event", "event_id", "group_id", unique=True),
)

seat_pool = Table(
    "seat_pool",
    metadata,
    Column("occurrence_id", UUID(as_uuid=True), primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("capacity", Integer, nullable=False),
    Column("confirmed", Integer, nullable=False, server_default="0"),
    CheckConstraint("confirmed >= 0 and confirmed <= capacity", name="never_oversold"),
)

seat_request = Table(
    "seat_request",
    metadata,
    Column("booking_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("group_id", UUID(as_uuid=True), nullable=False),
    Column("unit_id", UUID(as_uuid=True), nullable=False),
    Column("teacher_id", UUID(as_uuid=True), nullable=False),
    Column("district", String),
    Column("pupils", Integer, nullable=False),
    Column("adults", Integer, nullable=False),
    Column("occurrence_ids", JSON, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    # pending (a draw will decide) | confirmed | waitlisted | rejected | cancelled
    Column("status", String(20), nullable=False),
    Column("occurrence_id", UUID(as_uuid=True)),
    Column("basis", String(20)),
    Column("position", Integer),
    Column("rank", Integer),
    Column("rank_of", Integer),
    Column("reason", String(40)),
    Column("explanation", JSON, nullable=False, server_default="{}"),
    Column("decided_at", DateTime(timezone=True)),
    # A group holds seats at most once per event, whichever process decided.
    Index(
        "one_confirmed_booking_per_group",
        "event_id",
        "group_id",
        unique=True,
        postgresql_where=text("status = 'confirmed'"),
    ),
)

draw = Table(
    "draw",
    metadata,
    Column("event_id", UUID(as_uuid=True), primary_key=True),
    Column("seed", BigInteger, nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("decisions", JSON, nullable=False),
    Column("drawn_at", DateTime(timezone=True), nullable=False),
)
