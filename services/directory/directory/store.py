"""The records one source has stored for a municipality, and writing an import's changes.

Every change is written with its event in the caller's unit of work, so an import is stored and
told whole, or not at all.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import delete, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from directory.db import Group, Teacher, TeacherDeparture, TeacherGroup, Unit
from directory.progress import Progress
from directory.reconcile import Changes
from directory.records import (
    Assignment,
    GroupRecord,
    Snapshot,
    Source,
    TeacherRecord,
    UnitRecord,
)
from kulturbro_contracts import directory as contract
from kulturbro_runtime import UnitOfWork


@dataclass
class Stored:
    """A source's records as stored, with Kulturbro's id for each of the source's ids."""

    snapshot: Snapshot
    unit_ids: dict[str, UUID] = field(default_factory=dict)
    group_ids: dict[str, UUID] = field(default_factory=dict)
    teacher_ids: dict[str, UUID] = field(default_factory=dict)


async def load(session: AsyncSession, municipality_id: str, source: Source) -> Stored:
    units = list(
        await session.exec(
            select(Unit).where(Unit.municipality_id == municipality_id, Unit.source == source)
        )
    )
    groups = list(
        await session.exec(
            select(Group).where(Group.municipality_id == municipality_id, Group.source == source)
        )
    )
    teachers = list(
        await session.exec(
            select(Teacher).where(
                Teacher.municipality_id == municipality_id, Teacher.source == source
            )
        )
    )
    links = await session.exec(
        select(Teacher.external_id, Group.external_id)
        .join(TeacherGroup, col(TeacherGroup.teacher_id) == col(Teacher.id))
        .join(Group, col(Group.id) == col(TeacherGroup.group_id))
        .where(Teacher.municipality_id == municipality_id, Teacher.source == source)
    )
    unit_external = {unit.id: _external(unit.external_id) for unit in units}
    snapshot = Snapshot(
        source=source,
        units={_external(unit.external_id): _unit_record(unit) for unit in units},
        groups={
            _external(group.external_id): _group_record(group, unit_external[group.unit_id])
            for group in groups
        },
        teachers={_external(t.external_id): _teacher_record(t) for t in teachers},
        assignments=frozenset(
            Assignment(_external(teacher), _external(group)) for teacher, group in links
        ),
    )
    return Stored(
        snapshot,
        unit_ids={_external(unit.external_id): unit.id for unit in units},
        group_ids={_external(group.external_id): group.id for group in groups},
        teacher_ids={_external(teacher.external_id): teacher.id for teacher in teachers},
    )


async def apply(
    uow: UnitOfWork, municipality_id: str, stored: Stored, changes: Changes, progress: Progress
) -> None:
    """Write the changes and their events; additions first, removals last, in reverse order,
    so that no event names a unit, group or teacher its reader has not heard of."""
    writer = _Writer(uow, municipality_id, stored, len(changes), progress)
    for unit in changes.units.added:
        await writer.add(Unit, stored.unit_ids, unit, _unit_values(unit))
        await writer.publish(contract.SchoolRegistered, writer.school(unit))
    for unit_change in changes.units.changed:
        unit = unit_change.after
        await writer.change(Unit, stored.unit_ids[unit.external_id], _unit_values(unit))
        await writer.publish(contract.SchoolUpdated, writer.school(unit))
    for group in changes.groups.added:
        await writer.add(Group, stored.group_ids, group, writer.group_values(group))
        await writer.publish(contract.GroupRegistered, writer.group(group))
    for group_change in changes.groups.changed:
        group = group_change.after
        await writer.change(Group, stored.group_ids[group.external_id], writer.group_values(group))
        await writer.publish(contract.GroupUpdated, writer.group(group))
    for teacher in changes.teachers.added:
        await writer.add(Teacher, stored.teacher_ids, teacher, _teacher_values(teacher))
        await writer.publish(contract.TeacherRegistered, writer.teacher(teacher))
    for teacher_change in changes.teachers.changed:
        teacher = teacher_change.after
        teacher_id = stored.teacher_ids[teacher.external_id]
        await writer.change(Teacher, teacher_id, _teacher_values(teacher))
        await writer.publish(contract.TeacherUpdated, writer.teacher(teacher))
    for assignment in changes.unassigned:
        link = writer.link(assignment)
        await uow.session.execute(
            delete(TeacherGroup).where(
                col(TeacherGroup.teacher_id) == link.teacher_id,
                col(TeacherGroup.group_id) == link.group_id,
            )
        )
        await writer.publish(contract.TeacherUnassigned, link)
    for assignment in changes.assigned:
        link = writer.link(assignment)
        await uow.session.execute(insert(TeacherGroup).values(**link.model_dump()))
        await writer.publish(contract.TeacherAssigned, link)
    for teacher in changes.teachers.removed:
        teacher_id = stored.teacher_ids[teacher.external_id]
        await writer.remove(Teacher, teacher_id)
        removed = await writer.publish(contract.TeacherRemoved, writer.teacher(teacher))
        # Her record goes now; copies elsewhere are erased once the retention period is over.
        await uow.session.execute(
            insert(TeacherDeparture).values(
                teacher_id=teacher_id, municipality_id=municipality_id, left_at=removed.occurred_at
            )
        )
    for group in changes.groups.removed:
        await writer.remove(Group, stored.group_ids[group.external_id])
        await writer.publish(contract.GroupRemoved, writer.group(group))
    for unit in changes.units.removed:
        await writer.remove(Unit, stored.unit_ids[unit.external_id])
        await writer.publish(contract.SchoolRemoved, writer.school(unit))


Table = type[Unit] | type[Group] | type[Teacher]


class _Writer:
    def __init__(
        self,
        uow: UnitOfWork,
        municipality_id: str,
        stored: Stored,
        total: int,
        progress: Progress,
    ) -> None:
        self.uow = uow
        self.municipality_id = municipality_id
        self.stored = stored
        self.total = total
        self.progress = progress
        self.done = 0

    async def add(
        self, table: Table, ids: dict[str, UUID], record: Any, values: dict[str, Any]
    ) -> None:
        ids[record.external_id] = uuid4()
        await self.uow.session.execute(
            insert(table).values(
                id=ids[record.external_id],
                municipality_id=self.municipality_id,
                source=self.stored.snapshot.source,
                external_id=record.external_id,
                **values,
            )
        )

    async def change(self, table: Table, row_id: UUID, values: dict[str, Any]) -> None:
        await self.uow.session.execute(
            update(table).where(col(table.id) == row_id).values(**values)
        )

    async def remove(self, table: Table, row_id: UUID) -> None:
        await self.uow.session.execute(delete(table).where(col(table.id) == row_id))

    async def publish(
        self, event: Callable[..., contract.DirectoryEvent], payload: Any
    ) -> contract.DirectoryEvent:
        published = event(municipality_id=self.municipality_id, payload=payload)
        await self.uow.publish(published)
        self.done += 1
        self.progress("writing", self.done, self.total)
        return published

    def school(self, unit: UnitRecord) -> contract.School:
        return contract.School(unit_id=self.stored.unit_ids[unit.external_id], **_unit_values(unit))

    def group_values(self, group: GroupRecord) -> dict[str, Any]:
        return {
            "unit_id": self.stored.unit_ids[group.unit],
            "name": group.name,
            "target_group": group.target_group,
            "size": group.size,
        }

    def group(self, group: GroupRecord) -> contract.Group:
        return contract.Group(
            group_id=self.stored.group_ids[group.external_id], **self.group_values(group)
        )

    def teacher(self, teacher: TeacherRecord) -> contract.Teacher:
        return contract.Teacher(
            teacher_id=self.stored.teacher_ids[teacher.external_id], **_teacher_values(teacher)
        )

    def link(self, assignment: Assignment) -> contract.TeacherAssignment:
        return contract.TeacherAssignment(
            teacher_id=self.stored.teacher_ids[assignment.teacher],
            group_id=self.stored.group_ids[assignment.group],
        )


def _external(external_id: str | None) -> str:
    assert external_id is not None, "an imported row always has its source's id"
    return external_id


def _unit_record(unit: Unit) -> UnitRecord:
    return UnitRecord(
        external_id=_external(unit.external_id),
        name=unit.name,
        kind=unit.kind,
        school_forms=tuple(unit.school_forms),
        district=unit.district,
        address=unit.address,
        latitude=unit.latitude,
        longitude=unit.longitude,
    )


def _group_record(group: Group, unit: str) -> GroupRecord:
    return GroupRecord(
        _external(group.external_id), unit, group.name, group.target_group, group.size
    )


def _teacher_record(teacher: Teacher) -> TeacherRecord:
    return TeacherRecord(
        _external(teacher.external_id),
        teacher.name,
        teacher.email,
        teacher.language,
        teacher.invitations,
    )


def _unit_values(unit: UnitRecord) -> dict[str, Any]:
    return {
        "name": unit.name,
        "kind": unit.kind,
        "school_forms": list(unit.school_forms),
        "district": unit.district,
        "address": unit.address,
        "latitude": unit.latitude,
        "longitude": unit.longitude,
    }


def _teacher_values(teacher: TeacherRecord) -> dict[str, Any]:
    return {
        "name": teacher.name,
        "email": teacher.email,
        "language": teacher.language,
        "invitations": teacher.invitations,
    }
