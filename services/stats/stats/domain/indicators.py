"""The open indicators: a few figures comparable across municipalities, with small counts withheld.

A cell built from fewer than MIN_UNITS schools, groups, visits or evaluations is withheld, and so is
one more cell of the same kind (the smallest other municipality, else the total), so that the
total less the published cells never gives a withheld one away. Indicators built on the same base
are withheld together, so one cannot be worked out from another (pupils from pupils reached and
their share).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum

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

    def __add__(self, other: "AreaCounts") -> "AreaCounts":
        return AreaCounts(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(AreaCounts))
        )

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


def value(indicator: Indicator, counts: AreaCounts) -> float | None:
    per_1000 = share(1000, counts.pupils)
    match indicator:
        case Indicator.PUPILS:
            return counts.pupils
        case Indicator.PUPILS_REACHED:
            return counts.pupils_reached
        case Indicator.PUPILS_REACHED_SHARE:
            return share(counts.pupils_reached, counts.pupils)
        case Indicator.VISITS_PER_PUPIL:
            return share(counts.pupil_visits, counts.pupils)
        case Indicator.GINI:
            return gini(counts.school_visits_per_pupil)
        case Indicator.EVENTS_PER_1000_PUPILS:
            return counts.events * per_1000 if per_1000 is not None else None
        case Indicator.OCCURRENCES_PER_1000_PUPILS:
            return counts.occurrences * per_1000 if per_1000 is not None else None
        case Indicator.VISITS:
            return counts.visits
        case Indicator.CAPACITY_USED:
            return share(counts.seats_allocated, counts.seats_offered)
        case Indicator.BUS_SHARE:
            return share(counts.visits_with_bus, counts.visits)
        case Indicator.EVALUATION_SCORE:
            return share(counts.overall_scores, counts.evaluations)


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
    whole = sum(counts.values(), AreaCounts())
    withheld = {base: _withheld(counts, whole, base) for base in Base}
    cells = {}
    for area in [*areas, TOTAL]:
        for indicator in Indicator:
            if area in withheld[BASES[indicator]]:
                cells[area, indicator] = Cell(None, withheld=True)
            else:
                cells[area, indicator] = Cell(value(indicator, counts.get(area, whole)))
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
