"""The pure planning domain of the culture bus: rules, eligibility, a day's plan and its check."""

from transport.domain.checker import Rule, Violation, broken_rules, violations
from transport.domain.eligibility import Reason, Windows, ineligible
from transport.domain.moves import Refusal, keep_placements, move_class
from transport.domain.places import Place, straight_line_m
from transport.domain.plan import BusRun, BusTrip, DayPlan, Leg, Stop, StopKind
from transport.domain.planning import places_of, plan_day
from transport.domain.rules import Bus, BusRules
from transport.domain.travel import MeasuredTravel, StraightLineTravel, Travel, TravelMatrix
from transport.domain.trips import ClassTrip, Day, school_year
from transport.domain.yearly import GroupBooking, GroupYear, days_to_plan_again

__all__ = [
    "Bus",
    "BusRules",
    "BusRun",
    "BusTrip",
    "ClassTrip",
    "Day",
    "DayPlan",
    "GroupBooking",
    "GroupYear",
    "Leg",
    "MeasuredTravel",
    "Place",
    "Reason",
    "Refusal",
    "Rule",
    "Stop",
    "StopKind",
    "StraightLineTravel",
    "Travel",
    "TravelMatrix",
    "Violation",
    "Windows",
    "broken_rules",
    "days_to_plan_again",
    "ineligible",
    "keep_placements",
    "move_class",
    "places_of",
    "plan_day",
    "school_year",
    "straight_line_m",
    "violations",
]
