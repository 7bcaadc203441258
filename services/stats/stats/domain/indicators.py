"""The open indicators: a few figures comparable across municipalities, with small counts withheld.

A cell built from fewer than MIN_UNITS schools, groups, visits or evaluations is withheld, and so is
one more cell of the same kind (the smallest other municipality, else the total), so that the
total less the published cells never gives a withheld one away. Indicators built on the same base
are withheld together, so one cannot be worked out from another (pupils from pupils reached and
their share).
"""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from itertools import chain

from kulturbro_contracts.booking import Question
from stats.domain.figures import Municipality, gini, share

MIN_UNITS = 5
TOTAL = "total"  # the area that sums every municipality in the table


class Base(StrEnum):
    """What a cell is built from: it is withheld when there are fewer than MIN_UNITS of them."""

    SCHOOLS = "schools"
    GROUPS = "groups"
    VISITS = "visits"
    EVALUATIONS = "evaluations"


@dataclass(frozen=True)
class AreaCounts:
    """What an area's indicators are computed from; areas add up to the total."""

    groups: int = 0
    pupils: int = 0
    pupils_reached: int = 0
    pupil_visits: int = 0
    events: int = 0
    occurrences: int = 0
    seats_offered: int = 0
    seats_allocated: int = 0
    visits: int = 0
    visits_with_bus: int = 0
    overall_scores: int = 0  # the sum of the scores of the visit as a whole
    evaluations: int = 0  # how many gave that score
    school_visits_per_pupil: tuple[float, ...] = field(default=())

    @staticmethod
    def total(areas: Collection["AreaCounts"]) -> "AreaCounts":
        summed = {
            f.name: sum(getattr(a, f.name) for a in areas)
            for f in fields(AreaCounts)
            if f.name != "school_visits_per_pupil"
        }
        schools = tuple(chain.from_iterable(a.school_visits_per_pupil for a in areas))
        return AreaCounts(**summed, school_visits_per_pupil=schools)

    def base(self, base: Base) -> int:
        if base is Base.SCHOOLS:
            return len(self.school_visits_per_pupil)
        return {Base.GROUPS: self.groups, Base.VISITS: self.visits}.get(base, self.evaluations)


def area_counts(municipality: Municipality) -> AreaCounts:
    """A municipality's counts for its pupils (elderly care is not compared)."""
    whole = municipality.whole(pupils_only=True)
    overall = [
        e.scores[Question.OVERALL] for e in municipality.evaluated() if Question.OVERALL in e.scores
    ]
    return AreaCounts(
        groups=whole.groups_eligible,
        pupils=whole.pupils_eligible,
        pupils_reached=whole.pupils_reached,
        pupil_visits=whole.pupil_visits,
        events=whole.events,
        occurrences=whole.occurrences,
        seats_offered=whole.seats_offered,
        seats_allocated=whole.seats_allocated,
        visits=whole.visits,
        visits_with_bus=whole.visits_with_bus,
        overall_scores=sum(overall),
        evaluations=len(overall),
        school_visits_per_pupil=tuple(municipality.school_visits_per_pupil()),
    )


class Indicator(StrEnum):
    PUPILS = "pupils"
    PUPILS_REACHED = "pupils_reached"
    PUPILS_REACHED_SHARE = "pupils_reached_share"
    VISITS_PER_PUPIL = "visits_per_pupil"
    GINI = "gini"
    EVENTS_PER_1000_PUPILS = "events_per_1000_pupils"
    OCCURRENCES_PER_1000_PUPILS = "occurrences_per_1000_pupils"
    VISITS = "visits"
    CAPACITY_USED = "capacity_used"
    BUS_SHARE = "bus_share"
    EVALUATION_SCORE = "evaluation_score"


BASES: dict[Indicator, Base] = {
    Indicator.PUPILS: Base.GROUPS,
    Indicator.PUPILS_REACHED: Base.GROUPS,
    Indicator.PUPILS_REACHED_SHARE: Base.GROUPS,
    Indicator.VISITS_PER_PUPIL: Base.GROUPS,
    Indicator.GINI: Base.SCHOOLS,
    Indicator.EVENTS_PER_1000_PUPILS: Base.GROUPS,
    Indicator.OCCURRENCES_PER_1000_PUPILS: Base.GROUPS,
    Indicator.VISITS: Base.VISITS,
    Indicator.CAPACITY_USED: Base.VISITS,
    Indicator.BUS_SHARE: Base.VISITS,
    Indicator.EVALUATION_SCORE: Base.EVALUATIONS,
}


def per_1000_pupils(count: int, counts: AreaCounts) -> float | None:
    return share(count * 1000, counts.pupils)


VALUES: dict[Indicator, Callable[[AreaCounts], float | None]] = {
    Indicator.PUPILS: lambda c: c.pupils,
    Indicator.PUPILS_REACHED: lambda c: c.pupils_reached,
    Indicator.PUPILS_REACHED_SHARE: lambda c: share(c.pupils_reached, c.pupils),
    Indicator.VISITS_PER_PUPIL: lambda c: share(c.pupil_visits, c.pupils),
    Indicator.GINI: lambda c: gini(c.school_visits_per_pupil),
    Indicator.EVENTS_PER_1000_PUPILS: lambda c: per_1000_pupils(c.events, c),
    Indicator.OCCURRENCES_PER_1000_PUPILS: lambda c: per_1000_pupils(c.occurrences, c),
    Indicator.VISITS: lambda c: c.visits,
    Indicator.CAPACITY_USED: lambda c: share(c.seats_allocated, c.seats_offered),
    Indicator.BUS_SHARE: lambda c: share(c.visits_with_bus, c.visits),
    Indicator.EVALUATION_SCORE: lambda c: share(c.overall_scores, c.evaluations),
}


@dataclass(frozen=True)
class Cell:
    value: float | None
    withheld: bool = False


@dataclass(frozen=True)
class Table:
    """Areas (municipalities, then the total) by indicator, for one school year."""

    areas: list[str]
    cells: dict[tuple[str, Indicator], Cell]


def indicator_table(counts: Mapping[str, AreaCounts]) -> Table:
    """Every municipality's indicators and their total, small counts withheld."""
    areas = sorted(counts)
    whole = AreaCounts.total(list(counts.values()))
    withheld = {base: _withheld(counts, whole, base) for base in Base}
    cells = {}
    for area in [*areas, TOTAL]:
        for indicator in Indicator:
            if area in withheld[BASES[indicator]]:
                cells[area, indicator] = Cell(None, withheld=True)
            else:
                cells[area, indicator] = Cell(VALUES[indicator](counts.get(area, whole)))
    return Table([*areas, TOTAL], cells)


def _withheld(counts: Mapping[str, AreaCounts], whole: AreaCounts, base: Base) -> set[str]:
    small = {area for area, c in counts.items() if c.base(base) < MIN_UNITS}
    if whole.base(base) < MIN_UNITS:
        return small | {TOTAL}
    if len(small) == 1:
        others = sorted((c.base(base), area) for area, c in counts.items() if area not in small)
        small.add(others[0][1] if others else TOTAL)
    return small


def slice_areas(table: Table, areas: Sequence[str]) -> Table:
    """Some municipalities of a table, withheld as in the whole, so that the two together never
    give away more than either."""
    return Table(list(areas), {(a, i): c for (a, i), c in table.cells.items() if a in areas})
