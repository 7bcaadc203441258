"""The term's history: what the next draw sees after this one."""

from uuid import UUID, uuid4

from allocation.domain import Allocation, Received

from .builders import history

EVENT = UUID(int=1)


def allocation(school: UUID, group: UUID, seats: int, pupils: int) -> Allocation:
    return Allocation(uuid4(), EVENT, uuid4(), group, school, seats, pupils)


def test_seats_allocated_are_added_to_the_school_and_the_group() -> None:
    school, group = uuid4(), uuid4()
    before = history({school: (10, 200)}, {group: (0, 23)})

    after = before.adding([allocation(school, group, 25, 23), allocation(school, uuid4(), 20, 18)])

    assert after.schools[school] == Received(55, 200)
    assert after.groups[group] == Received(25, 23)
    assert before.schools[school] == Received(10, 200)


def test_a_school_missing_from_the_history_counts_the_pupils_of_its_groups() -> None:
    school, group = uuid4(), uuid4()

    after = history({}).adding(
        [
            allocation(school, group, 25, 23),
            allocation(school, group, 25, 23),
            allocation(school, uuid4(), 20, 18),
        ]
    )

    assert after.schools[school] == Received(70, 41)
    assert after.groups[group] == Received(50, 23)
