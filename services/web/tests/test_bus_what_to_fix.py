"""What to fix for a class without a bus, in the reader's language: transport's codes and values
through the catalogs, and transport's English words only where the page lacks a code."""

import gettext
import uuid
from collections.abc import Iterator
from datetime import date

import pytest

from kulturbro_contracts.vocabulary import Language
from web import rendering
from web.pages.buses import what_to_fix
from web.platform import DayPlan, Fix, Unserved
from web.words import NO_BUS_REASONS, WHAT_TO_FIX

SCHOOL = WHAT_TO_FIX["school_without_coordinates"]
BUSES = WHAT_TO_FIX["bus_without_depot"]
SWEDISH = {
    SCHOOL: "Skolan %(school)s saknar koordinater: lägg till dem i katalogen.",
    BUSES: "Ingen depå för %(buses)s: ange kommunens depå, eller bussens egen, i bussreglerna.",
}


class Swedish(gettext.NullTranslations):
    """The catalog's part this test needs, whatever the committed catalogs hold yet."""

    def gettext(self, message: str) -> str:
        return SWEDISH.get(message, message)


@pytest.fixture
def swedish(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    rendering.environment.cache_clear()
    monkeypatch.setattr(rendering, "translations", lambda language: Swedish())
    yield
    rendering.environment.cache_clear()


def unserved(*fixes: Fix, words: str = "school X has no coordinates") -> Unserved:
    return Unserved(
        booking_id=uuid.uuid4(), reason="no_coordinates", what_to_fix=words, fixes=list(fixes)
    )


def test_each_code_is_a_sentence_to_translate_with_the_values_transport_gives() -> None:
    class_ = unserved(
        Fix(code="school_without_coordinates", params={"school": "Rosengårdsskolan"}),
        Fix(code="bus_without_depot", params={"buses": "Buss 1, Buss 2"}),
    )
    assert what_to_fix(class_) == [
        (SCHOOL, {"school": "Rosengårdsskolan"}),
        (BUSES, {"buses": "Buss 1, Buss 2"}),
    ]


@pytest.mark.parametrize(
    "fix",
    [
        Fix(code="a_code_transport_added_later"),
        Fix(code="school_without_coordinates", params={"skola": "Rosengårdsskolan"}),
    ],
)
def test_a_code_or_value_the_page_does_not_know_leaves_transports_english_words(fix: Fix) -> None:
    assert what_to_fix(unserved(Fix(code="no_fleet"), fix)) == []


def _page(plan: DayPlan) -> str:
    env = rendering.environment(Language.SV)
    return env.get_template("office/buses.html").render(
        signed_in=None,
        csrf_token=lambda: "token",
        asset_url=lambda name: f"/assets/{name}",
        switch_to=lambda language: f"/language?to={language}",
        day=plan.day.isoformat(),
        plan=plan,
        problem=None,
        reasons=NO_BUS_REASONS,
        fixes={class_.booking_id: what_to_fix(class_) for class_ in plan.unserved},
        time_zone="Europe/Stockholm",
        timeline=None,
        fleet=[],
        classes={},
        placed={},
        refusal=None,
    )


def test_the_day_page_says_what_to_fix_in_the_readers_language(swedish: None) -> None:
    known = unserved(
        Fix(code="school_without_coordinates", params={"school": "<Rosengårdsskolan>"}),
        Fix(code="bus_without_depot", params={"buses": "Buss 1"}),
    )
    newer = unserved(Fix(code="a_code_transport_added_later"), words="the bus is purple")
    plan = DayPlan(day=date(2027, 3, 16), frozen=False, buses=[], unserved=[known, newer], km=0)
    page = _page(plan)
    assert (
        "(Skolan &lt;Rosengårdsskolan&gt; saknar koordinater: lägg till dem i katalogen."
        " Ingen depå för Buss 1: ange kommunens depå, eller bussens egen, i bussreglerna.)"
    ) in page
    assert "school X has no coordinates" not in page
    assert '<span lang="en">(the bus is purple)</span>' in page
