"""The rules a booking request must pass, in the order a teacher would want to hear them."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime.localization import local_when


class BookingRefused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Window(StrEnum):
    NOT_OPEN_YET = "not_open_yet"
    CLOSED = "closed"


_WINDOW_WORDS = {
    Window.NOT_OPEN_YET: {
        Language.SV: "bokningen öppnar {when}; fråga igen då",
        Language.FI: "varaaminen alkaa {when}; lähetä pyyntö silloin",
        Language.EN: "booking opens {when}; ask again then",
    },
    Window.CLOSED: {
        Language.SV: "bokningen stängde {when}; kontakta arrangören om ni ändå vill komma",
        Language.FI: "varaaminen päättyi {when}; ota yhteyttä järjestäjään, jos haluatte silti "
        "tulla",
        Language.EN: "booking closed {when}; contact the organizer if you still want to come",
    },
}


class OutsideBookingWindow(BookingRefused):
    """Booking is not open now. A teacher reads when it opens or closed as people in the
    municipality tell the time, in their own language: `said` words it so."""

    def __init__(self, window: Window, moment: datetime) -> None:
        self.window, self.moment = window, moment
        super().__init__(409, self.said(Language.EN, "UTC"))

    def said(self, language: Language, time_zone: str) -> str:
        when = local_when(self.moment, language, time_zone)
        return _WINDOW_WORDS[self.window][language].format(when=when)


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
        raise OutsideBookingWindow(Window.NOT_OPEN_YET, rules.booking_opens_at)
    if rules.booking_closes_at and now >= rules.booking_closes_at:
        raise OutsideBookingWindow(Window.CLOSED, rules.booking_closes_at)
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


_CANCELLED = {
    Language.SV: "Bokningen avbokades av läraren som gjorde den.",
    Language.FI: "Varauksen tehnyt opettaja perui sen.",
    Language.EN: "The booking was cancelled by the teacher who made it.",
}
_SEATS_GIVEN_BACK = {
    Language.SV: "Platserna gick tillbaka, så att andra grupper kan få dem.",
    Language.FI: "Paikat vapautuivat muille ryhmille.",
    Language.EN: "Its seats were given back for other groups.",
}
_OFF_THE_WAITING_LIST = {
    Language.SV: "Gruppen står inte längre på väntelistan.",
    Language.FI: "Ryhmä ei ole enää jonossa.",
    Language.EN: "The group is no longer on the waiting list.",
}


def explain_cancellation(*, held_seats: bool, waiting: bool) -> dict[Language, str]:
    """What a cancelled booking says of itself, in place of the decision it no longer follows.
    Only the teacher who made a booking can cancel it (an organizer's cancellation is a
    rejection, explained by the allocation)."""
    then = _SEATS_GIVEN_BACK if held_seats else _OFF_THE_WAITING_LIST if waiting else None
    return {
        language: f"{said} {then[language]}" if then else said
        for language, said in _CANCELLED.items()
    }


class OfferState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    """Not accepted by its deadline: its seats went to the waiting list."""
    WITHDRAWN = "withdrawn"
    """Its occurrence was cancelled, or its group booked the event another way."""


@dataclass(frozen=True)
class HeldOffer:
    """What the booking service knows of an offer when a teacher accepts it."""

    state: OfferState
    deadline: datetime
    starts_at: datetime | None
    """Of the offered occurrence; None when it was cancelled."""


def check_acceptance(
    offer: HeldOffer, *, teaches_the_group: bool, group_has_booking: bool, now: datetime
) -> None:
    """An offer is accepted once, by a teacher of its group, before its deadline; otherwise
    the refusal says why and what the teacher can do."""
    if not teaches_the_group:
        raise BookingRefused(
            403, "this place is held for a group you do not teach; its own teachers can accept it"
        )
    if offer.state is OfferState.ACCEPTED:
        raise BookingRefused(409, "the offer has been accepted already; see your bookings")
    if offer.state is OfferState.WITHDRAWN or offer.starts_at is None:
        raise BookingRefused(
            410,
            "the offer was withdrawn: the performance was cancelled or your group already has "
            "a booking for the event",
        )
    if offer.state is OfferState.EXPIRED or now >= offer.deadline or now >= offer.starts_at:
        raise BookingRefused(
            410,
            f"the offer could be accepted until {offer.deadline:%Y-%m-%d %H:%M} UTC; the seats "
            "have gone to the waiting list, but you can still ask for seats for the event",
        )
    if group_has_booking:
        raise BookingRefused(
            409,
            "your group already has a booking for this event; cancel it first to take the "
            "offered place instead",
        )
