"""The notify service's tables: local copies it needs to write mails, and the delivery log."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID

metadata = MetaData()

municipality = Table(
    "municipality",
    metadata,
    Column("municipality_id", String(64), primary_key=True),
    Column("name", String, nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("language", String(2), nullable=False),  # the default, e.g. for organizers
)

organizer = Table(
    "organizer",
    metadata,
    Column("organizer_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), primary_key=True),
    Column("name", String, nullable=False),
    Column("email", String(320), nullable=False),
)

# The event as last published or changed (texts, venue, rules), what every mail about it shows.
event_details = Table(
    "event_details",
    metadata,
    Column("event_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False, index=True),
    Column("organizer_id", UUID(as_uuid=True), nullable=False),
    Column("details", JSON, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)

booking = Table(
    "booking",
    metadata,
    Column("booking_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("group_id", UUID(as_uuid=True), nullable=False),
    Column("unit_id", UUID(as_uuid=True), nullable=False),
    Column("teacher_id", UUID(as_uuid=True), nullable=False),
    Column("occurrence_ids", JSON, nullable=False),
    Column("pupils", Integer, nullable=False),
    Column("adults", Integer, nullable=False),
    Column("wants_bus", Boolean, nullable=False),
    # requested | confirmed | waitlisted | rejected | cancelled
    Column("status", String(12), nullable=False),
    # The seated occurrence as the teacher's calendar has it; kept after a rejection, so a
    # cancelled occurrence still finds the groups that were seated on it.
    Column("occurrence_id", UUID(as_uuid=True), index=True),
    Column("seats", Integer),
    Column("starts_at", DateTime(timezone=True)),
    Column("ends_at", DateTime(timezone=True)),
    Column("calendar_sequence", Integer, nullable=False, server_default="0"),
    # The bus trip in the teacher's calendar (BusTrip as JSON); none when she has no bus entry.
    Column("bus_trip", JSON),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("organizer_told", Boolean, nullable=False, server_default="false"),
    Column("reminded", Boolean, nullable=False, server_default="false"),
    Column("evaluation_requested", Boolean, nullable=False, server_default="false"),
)

# Seats held back for one group and offered to its teachers until the deadline; whether it was
# accepted or ended, and whether they were reminded. An acceptance or an end may be heard before
# the offer (they travel on other topics), so all but the status may still be unknown.
offer = Table(
    "offer",
    metadata,
    Column("offer_id", UUID(as_uuid=True), primary_key=True),
    Column("municipality_id", String(64), nullable=False),
    Column("event_id", UUID(as_uuid=True)),
    Column("occurrence_id", UUID(as_uuid=True)),
    Column("group_id", UUID(as_uuid=True)),
    Column("seats", Integer),
    Column("offered_at", DateTime(timezone=True)),
    Column("deadline", DateTime(timezone=True)),
    # offered | accepted | ended
    Column("status", String(10), nullable=False),
    Column("reminded", Boolean, nullable=False, server_default="false"),
    Index(
        "offer_to_remind", "deadline", postgresql_where=text("status = 'offered' AND NOT reminded")
    ),
)

delivery = Table(
    "delivery",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("municipality_id", String(64), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    # What made it (the catalog event for an invitation, else the message or period): with kind
    # and recipient the guarantee that whatever is redelivered or restarted, it goes out once.
    Column("cause_id", UUID(as_uuid=True), nullable=False),
    Column("subject_id", UUID(as_uuid=True), nullable=False, index=True),  # the catalog event
    Column("booking_id", UUID(as_uuid=True)),
    Column("recipient_id", UUID(as_uuid=True), nullable=False),
    Column("email", String(320), nullable=False),
    Column("name", String, nullable=False),
    Column("language", String(2), nullable=False),
    Column("context", JSON, nullable=False),  # what the template needs besides the event
    # pending | sending | sent | failed
    Column("status", String(10), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("claimed_by", BigInteger),  # the sending process, alive while it holds this lock key
    Column("reason", String),
    Column("subject", String),  # as it went out
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    UniqueConstraint("kind", "cause_id", "recipient_id"),
    Index("delivery_due", "next_attempt_at", "id", postgresql_where=text("status = 'pending'")),
)
