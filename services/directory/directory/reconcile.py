"""What an import changes: the differences between what is stored and what the source says."""

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Generic, TypeVar

from directory.records import (
    TEACHERS_CHOICES,
    Assignment,
    GroupRecord,
    Record,
    Snapshot,
    Source,
    TeacherRecord,
    UnitRecord,
    fields_known,
)

R = TypeVar("R", UnitRecord, GroupRecord, TeacherRecord)


@dataclass(frozen=True)
class Change(Generic[R]):
    before: R
    after: R

    def fields(self) -> list[str]:
        return [
            f.name
            for f in fields(self.before)
            if getattr(self.before, f.name) != getattr(self.after, f.name)
        ]


@dataclass(frozen=True)
class Diff(Generic[R]):
    added: tuple[R, ...] = ()
    changed: tuple[Change[R], ...] = ()
    removed: tuple[R, ...] = ()

    def __len__(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


@dataclass(frozen=True)
class Changes:
    units: Diff[UnitRecord]
    groups: Diff[GroupRecord]
    teachers: Diff[TeacherRecord]
    assigned: tuple[Assignment, ...]
    unassigned: tuple[Assignment, ...]

    def __len__(self) -> int:
        diffs = len(self.units) + len(self.groups) + len(self.teachers)
        return diffs + len(self.assigned) + len(self.unassigned)


def reconcile(current: Snapshot, incoming: Snapshot) -> Changes:
    """Everything to add, change and remove so that the stored records match the source's."""
    source = incoming.source
    return Changes(
        units=_diff(UnitRecord, current.units, incoming.units, source),
        groups=_diff(GroupRecord, current.groups, incoming.groups, source),
        teachers=_diff(TeacherRecord, current.teachers, incoming.teachers, source),
        assigned=tuple(sorted(incoming.assignments - current.assignments)),
        unassigned=tuple(sorted(current.assignments - incoming.assignments)),
    )


def _states(record: Record, name: str) -> bool:
    return (
        not isinstance(record, TeacherRecord)
        or name not in TEACHERS_CHOICES
        or (name in record.stated)
    )


def _diff(
    kind: type[R], stored: Mapping[str, R], wanted: Mapping[str, R], source: Source
) -> Diff[R]:
    known = fields_known(source, kind)
    changed = []
    for key in sorted(stored.keys() & wanted.keys()):
        given = [name for name in known if _states(wanted[key], name)]
        after = replace(stored[key], **{name: getattr(wanted[key], name) for name in given})
        if after != stored[key]:
            changed.append(Change(stored[key], after))
    return Diff(
        added=tuple(wanted[key] for key in sorted(wanted.keys() - stored.keys())),
        changed=tuple(changed),
        removed=tuple(stored[key] for key in sorted(stored.keys() - wanted.keys())),
    )
