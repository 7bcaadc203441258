"""The pure allocation domain: who gets which seats, why, and how fair the outcome is."""

from allocation.domain.decisions import (
    Adjustment,
    Allocated,
    Allocation,
    Basis,
    Change,
    Decision,
    Ranking,
    Rejected,
    RejectionReason,
    Waitlisted,
)
from allocation.domain.districts import split_by_district
from allocation.domain.explanations import explain
from allocation.domain.fair_draw import Draw, allocate_by_district, allocate_fairly
from allocation.domain.fairness import (
    FairnessFigures,
    Share,
    fairness_by_event,
    fairness_figures,
    gini,
)
from allocation.domain.fairness_bound import levelled_bound, max_min_bound
from allocation.domain.history import Received, TermHistory, seats_per_pupil
from allocation.domain.occurrence import Occurrence
from allocation.domain.priority import lottery_ticket
from allocation.domain.seat_request import SeatRequest
from allocation.domain.seating import BookingAlreadyDecided, Seating, UnknownBooking

__all__ = [
    "Adjustment",
    "Allocated",
    "Allocation",
    "Basis",
    "BookingAlreadyDecided",
    "Change",
    "Decision",
    "Draw",
    "FairnessFigures",
    "Occurrence",
    "Ranking",
    "Received",
    "Rejected",
    "RejectionReason",
    "SeatRequest",
    "Seating",
    "Share",
    "TermHistory",
    "UnknownBooking",
    "Waitlisted",
    "allocate_by_district",
    "allocate_fairly",
    "explain",
    "fairness_by_event",
    "fairness_figures",
    "gini",
    "levelled_bound",
    "lottery_ticket",
    "max_min_bound",
    "seats_per_pupil",
    "split_by_district",
]
