"""The outreach bench's term is what it claims: seats for one visit per group in every band, and
the offers reach schools the requests alone do not, never fewer."""

from collections import Counter

from bench.outreach import BANDS, SEATS_OVER_ONE_VISIT, requests_alone, term, with_outreach


def test_each_band_of_grades_has_seats_for_one_visit_per_group() -> None:
    scenario = term(0.2)
    seats = Counter[int]()
    for event in scenario.events:
        seats[min(event.grades)] += sum(o.capacity for o in event.occurrences)
    for band in BANDS:
        one_visit = sum(g.pupils + g.adults for g in scenario.groups if g.grade in band)
        assert seats[band[0]] >= one_visit * SEATS_OVER_ONE_VISIT * 0.99, band


def test_outreach_reaches_the_schools_that_never_ask() -> None:
    scenario = term(0.2)
    alone, outreach = requests_alone(scenario), with_outreach(scenario)
    assert outreach.silent_schools > 0 and alone.silent_reached == 0
    assert outreach.silent_reached == outreach.silent_schools
    assert outreach.schools_reached >= alone.schools_reached
    assert 0 < outreach.accepted < outreach.offers
