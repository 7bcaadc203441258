"""Facts the directory and catalog would publish, for tests and benchmarks of later services."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from kulturbro_contracts import (
    EventPublished,
    GroupRegistered,
    SchoolRegistered,
    TeacherAssigned,
)
from kulturbro_contracts.catalog import Occurrence, PublishedEvent, Venue
from kulturbro_contracts.directory import Group, School, TeacherAssignment
from kulturbro_contracts.vocabulary import BookingPolicy, Language, TargetGroup, UnitKind
from kulturbro_runtime.runtime import Runtime

MUNICIPALITY = "malmo"


def school(district: str) -> SchoolRegistered:
    return SchoolRegistered(
        municipality_id=MUNICIPALITY,
        payload=School(
            unit_id=uuid4(), name=f"Skola {district}", kind=UnitKind.SCHOOL, district=district
        ),
    )


def group_with_teacher(
    unit_id: UUID, size: int, target: TargetGroup = TargetGroup.GRADE_4
) -> tuple[UUID, UUID, list[GroupRegistered | TeacherAssigned]]:
    group_id, teacher_id = uuid4(), uuid4()
    group = Group(
        group_id=group_id,
        unit_id=unit_id,
        name=f"Klass {group_id.hex[:4]}",
        target_group=target,
        size=size,
    )
    facts: list[GroupRegistered | TeacherAssigned] = [
        GroupRegistered(municipality_id=MUNICIPALITY, payload=group),
        TeacherAssigned(
            municipality_id=MUNICIPALITY,
            payload=TeacherAssignment(teacher_id=teacher_id, group_id=group_id),
        ),
    ]
    return group_id, teacher_id, facts


def an_event(
    capacities: list[int],
    policy: BookingPolicy = BookingPolicy.INSTANT,
    closes_in: timedelta = timedelta(days=10),
    max_group_size: int = 30,
) -> EventPublished:
    now = datetime.now(UTC)
    occurrences = [
        Occurrence(
            occurrence_id=uuid4(),
            starts_at=now + timedelta(days=30 + n),
            ends_at=now + timedelta(days=30 + n, hours=1),
            capacity=capacity,
            language=Language.SV,
        )
        for n, capacity in enumerate(capacities)
    ]
    return EventPublished(
        municipality_id=MUNICIPALITY,
        payload=PublishedEvent(
            event_id=uuid4(),
            organizer_id=uuid4(),
            title={Language.SV: "Pippi på scen"},
            description={Language.SV: "Teater för årskurs 4"},
            category="theatre",
            target_groups=[TargetGroup.GRADE_4],
            duration_minutes=60,
            venue=Venue(name="Stadsteatern", district="Centrum"),
            max_group_size=max_group_size,
            adults_per_group=1,
            needed_occurrences=1,
            booking_policy=policy,
            booking_opens_at=now - timedelta(days=1),
            booking_closes_at=now + closes_in,
            occurrences=occurrences,
        ),
    )


async def publish(publisher: Runtime, facts: list) -> None:  # type: ignore[type-arg]
    batch = 200
    for first in range(0, len(facts), batch):
        async with publisher.unit_of_work() as uow:
            for fact in facts[first : first + batch]:
                await uow.publish(fact)
