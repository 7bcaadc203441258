"""What the administrator can change so that a class gets a bus: a code with its values, which the
pages put in the reader's language, and the same in English words for the API's older readers."""

from enum import StrEnum

from pydantic import BaseModel, Field

from kulturbro_contracts.transport import NoBusReason
from transport.domain import BusRules


class FixCode(StrEnum):
    TOO_NEAR = "too_near"  # metres
    TOO_LATE_TO_BOOK = "too_late_to_book"  # days
    NO_BUS_FREE = "no_bus_free"
    RIDE_TOO_LONG = "ride_too_long"  # minutes
    NO_FLEET = "no_fleet"
    ONE_TRIP_A_YEAR = "one_trip_a_year"
    NO_OPERATING_HOURS = "no_operating_hours"  # opens, closes
    SCHOOL_NOT_KNOWN = "school_not_known"
    SCHOOL_WITHOUT_COORDINATES = "school_without_coordinates"  # school
    VENUE_WITHOUT_COORDINATES = "venue_without_coordinates"  # venue
    BUS_WITHOUT_DEPOT = "bus_without_depot"  # buses


WORDS = {
    FixCode.TOO_NEAR: "the school is nearer the venue than {metres} m",
    FixCode.TOO_LATE_TO_BOOK: "booked less than {days} days before the visit",
    FixCode.NO_BUS_FREE: "every bus that fits the class is taken at that time",
    FixCode.RIDE_TOO_LONG: "the ride would take longer than {minutes} minutes",
    FixCode.NO_FLEET: "the municipality has no buses: add its bus fleet in the directory",
    FixCode.ONE_TRIP_A_YEAR: (
        "the group has had its bus trip this school year, and the rules give one a year"
    ),
    FixCode.NO_OPERATING_HOURS: (
        "the trip falls outside the buses' hours ({opens}-{closes} on school days)"
    ),
    FixCode.SCHOOL_NOT_KNOWN: (
        "school (not heard of from the directory yet) has no coordinates: add them in the directory"
    ),
    FixCode.SCHOOL_WITHOUT_COORDINATES: (
        "school {school} has no coordinates: add them in the directory"
    ),
    FixCode.VENUE_WITHOUT_COORDINATES: "venue {venue} has no coordinates: its organizer adds them",
    FixCode.BUS_WITHOUT_DEPOT: (
        "bus {buses} has no depot: set the municipality's depot, or the bus's own, in the bus rules"
    ),
}


class Fix(BaseModel):
    """One thing to change, e.g. `{"code": "school_without_coordinates", "params": {"school":
    "Rosengårdsskolan"}}`; a reader that does not know the code shows `what_to_fix`."""

    code: FixCode
    params: dict[str, str] = Field({}, description="the values the code's words name")

    def words(self) -> str:
        return WORDS[self.code].format(**self.params)


def reason_fix(reason: NoBusReason, rules: BusRules) -> Fix | None:
    """What to change for a reason that needs no more than the rules to say; None for places
    without coordinates, which name the school, the venue or the buses."""
    match reason:
        case NoBusReason.TOO_NEAR:
            return Fix(code=FixCode.TOO_NEAR, params={"metres": str(rules.min_distance_m)})
        case NoBusReason.TOO_LATE_TO_BOOK:
            return Fix(code=FixCode.TOO_LATE_TO_BOOK, params={"days": str(rules.booking_lead_days)})
        case NoBusReason.RIDE_TOO_LONG:
            return Fix(code=FixCode.RIDE_TOO_LONG, params={"minutes": str(rules.max_ride_min)})
        case NoBusReason.NO_OPERATING_HOURS:
            hours = {"opens": f"{rules.opens:%H:%M}", "closes": f"{rules.closes:%H:%M}"}
            return Fix(code=FixCode.NO_OPERATING_HOURS, params=hours)
        case NoBusReason.NO_BUS_FREE:
            return Fix(code=FixCode.NO_BUS_FREE)
        case NoBusReason.NO_FLEET:
            return Fix(code=FixCode.NO_FLEET)
        case NoBusReason.ONE_TRIP_A_YEAR:
            return Fix(code=FixCode.ONE_TRIP_A_YEAR)
        case _:
            return None


def in_words(fixes: list[Fix]) -> str:
    return "; ".join(fix.words() for fix in fixes)
