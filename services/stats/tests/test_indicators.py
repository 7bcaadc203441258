"""Open indicators: Lillby's as worked out by hand; small counts withheld so that no published
total gives them away; the dataset is JSON-stat 2.0."""

from datetime import UTC, datetime

import pytest
from jsonstat_validator import validate_jsonstat

from stats.api.jsonstat import WITHHELD, dataset
from stats.domain.figures import Municipality, Period
from stats.domain.indicators import (
    TOTAL,
    AreaCounts,
    Base,
    Indicator,
    area_counts,
    indicator_table,
    slice_areas,
)
from stats.handlers import project

from . import lillby
from .fakes import FakeProjections


async def lillby_counts() -> AreaCounts:
    projections = FakeProjections()
    for event in lillby.events():
        await project(event, projections, lillby.NOW)
    facts = projections.facts(lillby.MUNICIPALITY)
    return area_counts(Municipality(facts, Period(lillby.SCHOOL_YEAR), lillby.NOW))


async def test_lillbys_indicators_are_as_worked_out_by_hand() -> None:
    table = indicator_table({lillby.MUNICIPALITY: await lillby_counts()})
    document = dataset(table, lillby.SCHOOL_YEAR, {lillby.MUNICIPALITY: "Lillby"}, None)
    values = dict(zip([i.value for i in Indicator], document["value"], strict=False))
    for name, expected in lillby.OPEN.items():
        assert values[name] == pytest.approx(expected), name
    withheld = {i.value for i in Indicator if table.cells[lillby.MUNICIPALITY, i].withheld}
    assert withheld == lillby.OPEN_WITHHELD
    # Lillby is the whole table: its total would give every withheld cell away.
    assert {i.value for i in Indicator if table.cells[TOTAL, i].withheld} == withheld
    assert validate_jsonstat(document)


def municipality(groups: int, pupils_per_group: int = 20) -> AreaCounts:
    return AreaCounts(
        groups=groups,
        pupils=groups * pupils_per_group,
        pupils_reached=groups * pupils_per_group // 2,
        pupil_visits=groups * pupils_per_group,
        visits=groups,
        overall_scores=4 * groups,
        evaluations=groups,
        school_visits_per_pupil=(1.0,) * groups,
    )


def test_a_withheld_cell_cannot_be_worked_out_from_the_published_totals() -> None:
    counts = {"liten": municipality(3), "mellan": municipality(6), "stor": municipality(40)}
    table = indicator_table(counts)
    document = dataset(table, "2026-27", {k: k for k in counts}, None)
    assert validate_jsonstat(document)
    withheld = {int(i) for i, s in document["status"].items() if s == WITHHELD}
    assert all(document["value"][i] is None for i in withheld)

    for indicator in (Indicator.PUPILS, Indicator.PUPILS_REACHED, Indicator.VISITS):
        published = {
            area: table.cells[area, indicator].value
            for area in table.areas
            if not table.cells[area, indicator].withheld
        }
        assert "liten" not in published
        # The attack: the total less every published municipality.
        recovered = published[TOTAL] - sum(v for a, v in published.items() if a != TOTAL)
        truth = table_value(counts["liten"], indicator)
        assert recovered != truth, f"{indicator} of liten recovered from the total"
        assert table.cells["mellan", indicator].withheld  # the smallest other, withheld with it


def test_cells_on_one_base_are_withheld_together_and_the_rest_published() -> None:
    counts = {"liten": municipality(3), "mellan": municipality(6), "stor": municipality(40)}
    table = indicator_table(counts)
    assert table.cells["liten", Indicator.PUPILS_REACHED_SHARE].withheld
    assert table.cells["liten", Indicator.VISITS_PER_PUPIL].withheld
    assert not table.cells["stor", Indicator.PUPILS].withheld
    assert table.cells[TOTAL, Indicator.PUPILS].value == 49 * 20


def test_one_municipality_is_withheld_exactly_as_in_the_national_table() -> None:
    counts = {"liten": municipality(3), "mellan": municipality(6), "stor": municipality(40)}
    national = indicator_table(counts)
    alone = slice_areas(national, ["mellan"])
    assert alone.cells["mellan", Indicator.PUPILS].withheld
    assert set(alone.areas) == {"mellan"}


def test_a_withheld_municipality_and_no_other_withholds_the_total() -> None:
    table = indicator_table({"liten": municipality(3)})
    assert table.cells[TOTAL, Indicator.PUPILS].withheld


def test_every_indicator_has_a_base() -> None:
    assert {AreaCounts().base(base) for base in Base} == {0}


def table_value(counts: AreaCounts, indicator: Indicator) -> float:
    return {
        Indicator.PUPILS: counts.pupils,
        Indicator.PUPILS_REACHED: counts.pupils_reached,
        Indicator.VISITS: counts.visits,
    }[indicator]


def test_the_dataset_states_its_licence_and_when_it_was_updated() -> None:
    table = indicator_table({"stor": municipality(40)})
    updated = datetime(2026, 12, 1, tzinfo=UTC)
    document = dataset(table, "2026-27", {"stor": "Stor"}, updated)
    assert document["extension"]["licence"]["id"] == "CC-BY-4.0"
    assert document["updated"] == updated.isoformat()
    assert validate_jsonstat(document)
