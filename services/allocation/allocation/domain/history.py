"""What schools and groups have received so far this term: the ground of the rotating priority."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from uuid import UUID

from allocation.domain.decisions import Allocation


@dataclass(frozen=True, slots=True)
class Received:
    seats: int
    pupils: int


def seats_per_pupil(seats: int, pupils: int) -> float:
    # A unit without pupils (adults only) still moves back when it gets seats.
    return seats / max(pupils, 1)


@dataclass(frozen=True)
class TermHistory:
    """Seats received this term per school (unit) and per group, with their pupil counts.

    A school missing here is counted as the pupils of its groups that ask for seats.
    """

    schools: Mapping[UUID, Received] = field(default_factory=dict)
    groups: Mapping[UUID, Received] = field(default_factory=dict)

    def adding(self, allocations: Iterable[Allocation]) -> "TermHistory":
        """The history after these allocations, as the next draw of the term should see it."""
        schools, groups = dict(self.schools), dict(self.groups)
        for allocation in allocations:
            new_group = allocation.group_id not in groups
            group = groups.get(allocation.group_id, Received(0, allocation.pupils))
            groups[allocation.group_id] = Received(group.seats + allocation.seats, group.pupils)
            school = schools.get(allocation.unit_id, Received(0, 0))
            pupils = school.pupils
            if new_group and allocation.unit_id not in self.schools:
                pupils += allocation.pupils
            schools[allocation.unit_id] = Received(school.seats + allocation.seats, pupils)
        return TermHistory(schools, groups)
