"""Who may have the bus, and the time windows a trip must keep to (in seconds of its day)."""

from dataclasses import dataclass
from datetime import datetime

from kulturbro_contracts.transport import NoBusReason
from transport.domain.rules import BusRules
from transport.domain.trips import ClassTrip, Day

Reason = NoBusReason  # the contract's words are the domain's
Window = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Windows:
    """When each stop of the trip may be served: there (school to venue) and back."""

    there_pickup: Window
    there_dropoff: Window
    back_pickup: Window
    back_dropoff: Window


def _seconds(day: Day, at: datetime | None) -> int | None:
    return None if at is None else day.seconds(at)


def _within(window: Window, around: int | None, tolerance: int) -> Window:
    """The window narrowed to an announced time's tolerance, where the two overlap."""
    if around is None:
        return window
    narrowed = (max(window[0], around - tolerance), min(window[1], around + tolerance))
    return narrowed if narrowed[0] <= narrowed[1] else window


def windows(
    trip: ClassTrip, day: Day, rules: BusRules, direct_s: int, *, keep_announced: bool
) -> Windows | Reason:
    """The stops' windows, tight enough that no one rides longer than the limit whatever the
    solver does: a pick-up no earlier than the limit before the latest drop-off."""
    stop, ride = rules.stop_min * 60, rules.max_ride_min * 60
    if direct_s + stop > ride:
        return Reason.RIDE_TOO_LONG
    earliest_pickup = max(day.clock(rules.earliest_pickup), day.clock(rules.opens))
    latest_dropoff = min(day.clock(rules.latest_dropoff), day.clock(rules.closes))
    arrive_by = day.seconds(trip.starts_at) - rules.arrive_before_min * 60
    there_pickup = (max(arrive_by - ride, earliest_pickup), arrive_by - stop - direct_s)
    leave_from = day.seconds(trip.ends_at) + rules.leave_after_min * 60
    home_by = min(leave_from + ride, latest_dropoff)
    back_pickup = (leave_from, home_by - stop - direct_s)
    if there_pickup[0] > there_pickup[1] or back_pickup[0] > back_pickup[1]:
        return Reason.NO_OPERATING_HOURS
    if keep_announced:
        tolerance = rules.announced_tolerance_min * 60
        there_pickup = _within(there_pickup, _seconds(day, trip.announced_pickup), tolerance)
        back_pickup = _within(back_pickup, _seconds(day, trip.announced_return), tolerance)
    return Windows(
        there_pickup=there_pickup,
        there_dropoff=(there_pickup[0], arrive_by),
        back_pickup=back_pickup,
        back_dropoff=(back_pickup[0], home_by),
    )


def ineligible(trip: ClassTrip, day: Day, rules: BusRules, direct_m: int | None) -> Reason | None:
    """Why the class may not have the bus at all, before any planning; None where it may.

    direct_m is the road distance from school to venue, None where either has no coordinates."""
    if not rules.fleet:
        return Reason.NO_FLEET
    if direct_m is None or any(bus.depot is None for bus in rules.fleet):
        return Reason.NO_COORDINATES
    if day.date.weekday() not in rules.operating_days:
        return Reason.NO_OPERATING_HOURS
    if direct_m < rules.min_distance_m:
        return Reason.TOO_NEAR
    if (day.date - day.local_date(trip.booked_at)).days < rules.booking_lead_days:
        return Reason.TOO_LATE_TO_BOOK
    if rules.one_trip_per_school_year and trip.group_had_its_trip:
        return Reason.ONE_TRIP_A_YEAR
    fits = any(
        bus.seats >= trip.travellers and bus.wheelchair_places >= trip.wheelchair_places
        for bus in rules.fleet
    )
    return None if fits else Reason.NO_BUS_FREE
