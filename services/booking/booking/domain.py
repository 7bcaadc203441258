"""The rules a booking request must pass, in the order a teacher would want to hear them."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID


class BookingRefused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Rules:
    """What the catalog said about the event."""

    target_groups: list[str]
    max_group_size: int
    adults_per_group: int
    needed_occurrences: int
    booking_opens_at: datetime | None
    booking_closes_at: datetime | None
    cancellation_deadline_days: int
    cancelled: bool


@dataclass(frozen=True)
class Slot:
    occurrence_id: UUID
    starts_at: datetime
    cancelled: bool


@dataclass(frozen=True)
class Request:
    group_target_group: str
    group_size: int
    pupils: int
    adults: int
    occurrence_ids: list[UUID]


def check_request(
    request: Request, rules: Rules, slots: dict[UUID, Slot], active_bookings: int, now: datetime
) -> None:
    """Raise BookingRefused with the first rule the request breaks."""
    if rules.cancelled:
        raise BookingRefused(409, "the event is cancelled")
    unknown = [str(o) for o in request.occurrence_ids if o not in slots]
    if unknown:
        raise BookingRefused(404, f"occurrence {unknown[0]} is not one of this event's")
    if len(set(request.occurrence_ids)) != len(request.occurrence_ids):
        raise BookingRefused(422, "occurrence_ids: name each occurrence once")
    cancelled = [str(o) for o in request.occurrence_ids if slots[o].cancelled]
    if cancelled:
        raise BookingRefused(409, f"occurrence {cancelled[0]} is cancelled; choose another")
    if request.group_target_group not in rules.target_groups:
        raise BookingRefused(
            422, f"the event is not for your group's target group ({request.group_target_group})"
        )
    if request.pupils < 1:
        raise BookingRefused(422, "pupils: a booking brings at least one pupil")
    if request.pupils > request.group_size:
        raise BookingRefused(
            422, f"pupils ({request.pupils}) exceed the group's size ({request.group_size})"
        )
    seats = request.pupils + request.adults
    if seats > rules.max_group_size:
        raise BookingRefused(
            422,
            f"pupils and adults ({seats}) exceed the event's maximum group size "
            f"({rules.max_group_size}); the group is never split",
        )
    if request.adults < rules.adults_per_group:
        raise BookingRefused(
            422, f"adults: the event needs at least {rules.adults_per_group} adults per group"
        )
    if rules.booking_opens_at and now < rules.booking_opens_at:
        raise BookingRefused(409, f"booking opens {rules.booking_opens_at.isoformat()}")
    if rules.booking_closes_at and now >= rules.booking_closes_at:
        raise BookingRefused(409, f"booking closed {rules.booking_closes_at.isoformat()}")
    past = [str(o) for o in request.occurrence_ids if slots[o].starts_at <= now]
    if past:
        raise BookingRefused(409, f"occurrence {past[0]} has already started")
    if active_bookings >= rules.needed_occurrences:
        raise BookingRefused(
            409,
            f"your group already has {active_bookings} booking(s) for this event, "
            f"which is as many as it needs",
        )


def check_cancellation(starts_at: datetime | None, deadline_days: int, now: datetime) -> None:
    if starts_at is not None and now > starts_at - timedelta(days=deadline_days):
        raise BookingRefused(
            409,
            f"bookings can be cancelled until {deadline_days} days before the visit; "
            "contact the organizer",
        )
