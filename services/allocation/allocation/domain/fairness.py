"""How fairly seats were shared: seats per pupil per school, their Gini coefficient, and reach."""

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from allocation.domain.decisions import Allocation
from allocation.domain.history import seats_per_pupil
from allocation.domain.occurrence import Occurrence


def gini(values: Sequence[float]) -> float:
    """0 when everyone has the same, approaching 1 when one has everything."""
    ordered = sorted(values)
    total = sum(ordered)
    if not ordered or total <= 0:
        return 0.0
    count = len(ordered)
    weighted = sum(rank * value for rank, value in enumerate(ordered, start=1))
    return 2 * weighted / (count * total) - (count + 1) / count


@dataclass(frozen=True, slots=True)
class Share:
    part: int
    whole: int

    @property
    def ratio(self) -> float:
        return self.part / self.whole if self.whole else 0.0


@dataclass(frozen=True)
class FairnessFigures:
    seats_per_pupil: Mapping[UUID, float]
    """Per school."""
    gini: float
    """Of seats per pupil across schools."""
    lowest_seats_per_pupil: float
    schools_reached: Share
    groups_reached: Share
    capacity_used: Share


def fairness_figures(
    allocations: Iterable[Allocation],
    occurrences: Iterable[Occurrence],
    school_pupils: Mapping[UUID, int],
    groups: Collection[UUID],
) -> FairnessFigures:
    """Figures over the given occurrences (one event, or a municipality's term) for the given
    schools and groups; whoever is left out of those is left out of the figures."""
    occurrences = [occurrence for occurrence in occurrences if not occurrence.cancelled]
    offered = {occurrence.id for occurrence in occurrences}
    school_seats = Counter[UUID]()
    groups_with_seats: set[UUID] = set()
    used = 0
    for allocation in allocations:
        if allocation.occurrence_id in offered:
            school_seats[allocation.unit_id] += allocation.seats
            groups_with_seats.add(allocation.group_id)
            used += allocation.seats
    per_pupil = {
        unit: seats_per_pupil(school_seats[unit], pupils) for unit, pupils in school_pupils.items()
    }
    return FairnessFigures(
        seats_per_pupil=per_pupil,
        gini=gini(list(per_pupil.values())),
        lowest_seats_per_pupil=min(per_pupil.values(), default=0.0),
        schools_reached=Share(
            sum(school_seats[unit] > 0 for unit in school_pupils), len(per_pupil)
        ),
        groups_reached=Share(len(groups_with_seats.intersection(groups)), len(groups)),
        capacity_used=Share(used, sum(occurrence.capacity for occurrence in occurrences)),
    )


def fairness_by_event(
    allocations: Iterable[Allocation],
    occurrences: Iterable[Occurrence],
    school_pupils: Mapping[UUID, int],
    groups: Collection[UUID],
) -> dict[UUID, FairnessFigures]:
    occurrences_of: defaultdict[UUID, list[Occurrence]] = defaultdict(list)
    for occurrence in occurrences:
        occurrences_of[occurrence.event_id].append(occurrence)
    allocations_of: defaultdict[UUID, list[Allocation]] = defaultdict(list)
    for allocation in allocations:
        allocations_of[allocation.event_id].append(allocation)
    return {
        event_id: fairness_figures(allocations_of[event_id], of_event, school_pupils, groups)
        for event_id, of_event in occurrences_of.items()
    }
