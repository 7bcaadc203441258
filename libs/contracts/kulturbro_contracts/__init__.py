"""Kulturbro's integration events: the envelope, every event type, and how to read them."""

from kulturbro_contracts.access import SignInLinkRequested
from kulturbro_contracts.allocation import (
    BookingRejected,
    BookingWaitlisted,
    OfferExpired,
    SeatsAllocated,
    SeatsOffered,
    SeatsReleased,
)
from kulturbro_contracts.booking import BookingCancelled, BookingRequested
from kulturbro_contracts.catalog import (
    EventCancelled,
    EventPublished,
    OccurrenceCancelled,
    OccurrenceChanged,
    OccurrenceScheduled,
)
from kulturbro_contracts.directory import (
    GroupRegistered,
    GroupRemoved,
    GroupUpdated,
    SchoolRegistered,
    SchoolUpdated,
    TeacherAssigned,
    TeacherRegistered,
    TeacherUnassigned,
    TeacherUpdated,
)
from kulturbro_contracts.envelope import Event, dead_letter_topic, topic_name
from kulturbro_contracts.notify import NotificationFailed, NotificationSent
from kulturbro_contracts.registry import (
    EVENT_TYPES,
    STREAMS,
    MalformedEvent,
    parse_event,
    serialize_event,
)
from kulturbro_contracts.transport import (
    BusRunSheetIssued,
    BusScheduled,
    BusTripCancelled,
    BusTripChanged,
    BusUnavailable,
)

__all__ = [
    "EVENT_TYPES",
    "STREAMS",
    "BookingCancelled",
    "BookingRejected",
    "BookingRequested",
    "BookingWaitlisted",
    "BusRunSheetIssued",
    "BusScheduled",
    "BusTripCancelled",
    "BusTripChanged",
    "BusUnavailable",
    "Event",
    "EventCancelled",
    "EventPublished",
    "GroupRegistered",
    "GroupRemoved",
    "GroupUpdated",
    "MalformedEvent",
    "NotificationFailed",
    "NotificationSent",
    "OccurrenceCancelled",
    "OccurrenceChanged",
    "OccurrenceScheduled",
    "OfferExpired",
    "SchoolRegistered",
    "SchoolUpdated",
    "SeatsAllocated",
    "SeatsOffered",
    "SeatsReleased",
    "SignInLinkRequested",
    "TeacherAssigned",
    "TeacherRegistered",
    "TeacherUnassigned",
    "TeacherUpdated",
    "dead_letter_topic",
    "parse_event",
    "serialize_event",
    "topic_name",
]
