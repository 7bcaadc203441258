"""Every decision explained in Swedish, Finnish and English, in words a teacher understands."""

from dataclasses import replace
from itertools import product
from uuid import UUID, uuid4

import pytest

from allocation.domain import (
    Adjustment,
    Allocated,
    Basis,
    Change,
    Decision,
    Ranking,
    Rejected,
    RejectionReason,
    Waitlisted,
    explain,
)
from kulturbro_contracts.vocabulary import BookingPolicy, Language

from .builders import occurrence, request

EVENT = UUID(int=1)
ASKED = request(occurrence(EVENT), occurrence(EVENT), school=uuid4(), pupils=25, adults=2)
IN_DRAW = Ranking(14, 120)
IN_DISTRICT = Ranking(4, 30, "Rosengård", 120)
SECOND = (ASKED, ASKED.occurrence_ids[1], 2)


def every_kind_of_decision() -> list[Decision]:
    decisions: list[Decision] = []
    for policy, choice in product(BookingPolicy, (1, 2, 5)):
        decisions += [
            Allocated(ASKED, ASKED.occurrence_ids[0], choice, Basis.ARRIVAL, policy),
            Allocated(ASKED, ASKED.occurrence_ids[0], choice, Basis.PROMOTION, policy),
        ]
    for choice in (1, 3):
        decisions += [
            Allocated(
                ASKED, ASKED.occurrence_ids[0], choice, Basis.DRAW, BookingPolicy.FAIR_DRAW, IN_DRAW
            ),
            Allocated(
                ASKED,
                ASKED.occurrence_ids[0],
                choice,
                Basis.DISTRICT_SHARE,
                BookingPolicy.DISTRICT_QUOTAS,
                IN_DISTRICT,
            ),
            Allocated(
                ASKED,
                ASKED.occurrence_ids[0],
                choice,
                Basis.FREE_FOR_ALL,
                BookingPolicy.DISTRICT_QUOTAS,
            ),
        ]
    decisions += [
        Waitlisted(ASKED, 3, Basis.ARRIVAL, BookingPolicy.INSTANT),
        Waitlisted(ASKED, 3, Basis.DRAW, BookingPolicy.FAIR_DRAW, IN_DRAW),
        Waitlisted(ASKED, 3, Basis.DISTRICT_SHARE, BookingPolicy.DISTRICT_QUOTAS, IN_DISTRICT),
        Waitlisted(ASKED, 3, Basis.DISTRICT_SHARE, BookingPolicy.DISTRICT_QUOTAS),
        Waitlisted(
            replace(ASKED, district=None),
            3,
            Basis.DISTRICT_SHARE,
            BookingPolicy.DISTRICT_QUOTAS,
            Ranking(1, 1, None, 0),
        ),
    ]
    decisions += [Rejected(ASKED, reason, BookingPolicy.INSTANT, 60) for reason in RejectionReason]
    for without_visits in (False, True):
        moved = Adjustment(Change.MOVED, without_visits, drawn_choice=1)
        displaced = Adjustment(Change.DISPLACED, without_visits, drawn_choice=2)
        decisions += [
            Allocated(*SECOND, Basis.DRAW, BookingPolicy.FAIR_DRAW, IN_DRAW, moved),
            Waitlisted(ASKED, 3, Basis.DRAW, BookingPolicy.FAIR_DRAW, IN_DRAW, displaced),
        ]
        for displacing, moving in product((False, True), repeat=2):
            lifted = Adjustment(Change.LIFTED, without_visits, None, displacing, moving)
            decisions.append(
                Allocated(*SECOND, Basis.DRAW, BookingPolicy.FAIR_DRAW, IN_DRAW, lifted)
            )
    return decisions


@pytest.mark.parametrize("decision", every_kind_of_decision())
def test_every_decision_is_explained_in_every_language_with_every_blank_filled(
    decision: Decision,
) -> None:
    explained = explain(decision)

    assert set(explained) == set(Language)
    for text in explained.values():
        assert text.strip() and text[0].isupper() and text.endswith(".")
        assert not any(blank in text for blank in ("{", "}", "  ", " ,", " .", "()"))
    assert len(set(explained.values())) == 3


def test_the_place_in_the_draw_and_why_are_said_in_each_language() -> None:
    allocated = Allocated(
        ASKED, ASKED.occurrence_ids[0], 1, Basis.DRAW, BookingPolicy.FAIR_DRAW, IN_DRAW
    )

    explained = explain(allocated)

    assert explained[Language.EN].startswith(
        "Your group got 27 seats at the performance you wanted most. "
        "Your group was 14th of 120 in the draw; schools and groups with fewer culture visits "
        "this term"
    )
    assert "Gruppen kom som nummer 14 av 120 i turordningen" in explained[Language.SV]
    assert "färre kulturbesök den här terminen" in explained[Language.SV]
    assert "sijoittui jakojärjestyksessä 14. sijalle 120 ryhmän joukosta" in explained[Language.FI]
    assert "vähiten kulttuurikäyntejä" in explained[Language.FI]


def test_a_later_choice_and_the_waiting_list_place_are_named() -> None:
    second_choice = Allocated(
        ASKED, ASKED.occurrence_ids[1], 2, Basis.ARRIVAL, BookingPolicy.INSTANT
    )
    waiting = Waitlisted(ASKED, 3, Basis.ARRIVAL, BookingPolicy.INSTANT)

    assert "at your 2nd choice" in explain(second_choice)[Language.EN]
    assert "på ert andrahandsval" in explain(second_choice)[Language.SV]
    assert "toivelistallanne 2. sijalla" in explain(second_choice)[Language.FI]
    assert "Your group is 3rd on the waiting list" in explain(waiting)[Language.EN]
    assert "står som nummer 3 på väntelistan" in explain(waiting)[Language.SV]
    assert "jonossa 3. sijalla" in explain(waiting)[Language.FI]


@pytest.mark.parametrize(
    ("rank", "said"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (101, "101st"),
        (111, "111th"),
        (112, "112th"),
    ],
)
def test_english_ordinals(rank: int, said: str) -> None:
    waiting = Waitlisted(ASKED, rank, Basis.ARRIVAL, BookingPolicy.INSTANT)

    assert f"Your group is {said} on the waiting list" in explain(waiting)[Language.EN]


def test_a_district_share_is_explained_with_the_district_and_its_seats() -> None:
    waiting = Waitlisted(ASKED, 2, Basis.DISTRICT_SHARE, BookingPolicy.DISTRICT_QUOTAS, IN_DISTRICT)

    explained = explain(waiting)

    assert "Rosengård was given 120 seats" in explained[Language.EN]
    assert "Rosengård tilldelades 120 platser" in explained[Language.SV]
    assert "Alueelle Rosengård varattiin 120 paikkaa" in explained[Language.FI]


def test_one_seat_is_singular() -> None:
    alone = request(occurrence(EVENT), school=uuid4(), pupils=1, adults=0)
    allocated = Allocated(alone, alone.occurrence_ids[0], 1, Basis.ARRIVAL, BookingPolicy.INSTANT)

    explained = explain(allocated)

    assert "got 1 seat " in explained[Language.EN]
    assert "fick 1 plats " in explained[Language.SV]
    assert "sai 1 paikan " in explained[Language.FI]


def test_a_school_limit_names_the_limit() -> None:
    rejected = Rejected(ASKED, RejectionReason.SCHOOL_LIMIT_REACHED, BookingPolicy.INSTANT, 60)

    assert "at most 60 seats" in explain(rejected)[Language.EN]
    assert "högst 60 platser" in explain(rejected)[Language.SV]
    assert "enintään 60 paikkaa" in explain(rejected)[Language.FI]
