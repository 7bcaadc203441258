"""The report of an import: what it added, changed and removed, in words an administrator reads."""

from collections.abc import Callable
from enum import StrEnum

from pydantic import BaseModel

from directory.reconcile import Change, Changes, Diff, R
from directory.records import Assignment, GroupRecord, Snapshot, Source, TeacherRecord, UnitRecord


class KindReport(BaseModel):
    added: list[str] = []
    changed: list[str] = []
    removed: list[str] = []

    def counts(self) -> str:
        return f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed"


class ImportReport(BaseModel):
    municipality_id: str
    source: Source
    dry_run: bool
    units: KindReport
    groups: KindReport
    teachers: KindReport
    assignments: KindReport
    notes: list[str] = []

    def changed_anything(self) -> bool:
        kinds = (self.units, self.groups, self.teachers, self.assignments)
        return any(kind.added or kind.changed or kind.removed for kind in kinds)

    def text(self) -> str:
        if self.dry_run:
            outcome = "a dry run: nothing was written"
        else:
            outcome = "written" if self.changed_anything() else "nothing to change"
        lines = [f"{self.source.value} import for {self.municipality_id!r}, {outcome}"]
        kinds = {
            "units": self.units,
            "groups": self.groups,
            "teachers": self.teachers,
            "teacher assignments": self.assignments,
        }
        for title, kind in kinds.items():
            lines.append(f"{title}: {kind.counts()}")
            for mark, items in (("+", kind.added), ("~", kind.changed), ("-", kind.removed)):
                lines.extend(f"  {mark} {item}" for item in items)
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)


def build_report(
    municipality_id: str, current: Snapshot, incoming: Snapshot, changes: Changes, dry_run: bool
) -> ImportReport:
    names = _Names(current, incoming)
    return ImportReport(
        municipality_id=municipality_id,
        source=incoming.source,
        dry_run=dry_run,
        units=names.kind(changes.units, names.unit),
        groups=names.kind(changes.groups, names.group),
        teachers=names.kind(changes.teachers, names.teacher),
        assignments=KindReport(
            added=sorted(names.assignment(a) for a in changes.assigned),
            removed=sorted(names.assignment(a) for a in changes.unassigned),
        ),
        notes=list(incoming.notes),
    )


class _Names:
    """Records as people name them; a record gone from the source is named as it was stored."""

    def __init__(self, current: Snapshot, incoming: Snapshot) -> None:
        self.units = current.units | incoming.units
        self.groups = current.groups | incoming.groups
        self.teachers = current.teachers | incoming.teachers

    def unit(self, unit: UnitRecord) -> str:
        return unit.name

    def group(self, group: GroupRecord) -> str:
        return f"{group.name} at {self.units[group.unit].name}"

    def teacher(self, teacher: TeacherRecord) -> str:
        return f"{teacher.name} <{teacher.email}>"

    def assignment(self, assignment: Assignment) -> str:
        teacher = self.teachers[assignment.teacher].name
        return f"{teacher} teaches {self.group(self.groups[assignment.group])}"

    def kind(self, diff: Diff[R], name: Callable[[R], str]) -> KindReport:
        return KindReport(
            added=sorted(name(record) for record in diff.added),
            changed=sorted(self.change(change, name) for change in diff.changed),
            removed=sorted(name(record) for record in diff.removed),
        )

    def change(self, change: Change[R], name: Callable[[R], str]) -> str:
        differences = ", ".join(
            f"{field} {self.value(field, getattr(change.before, field))}"
            f" → {self.value(field, getattr(change.after, field))}"
            for field in change.fields()
        )
        return f"{name(change.before)}: {differences}"

    def value(self, field: str, value: object) -> str:
        if field == "unit" and isinstance(value, str):
            return f"'{self.units[value].name}'"
        if value is None or value == ():
            return "none"
        if isinstance(value, tuple):
            return "'" + " ".join(value) + "'"
        if isinstance(value, StrEnum):
            return value.value
        if isinstance(value, str):
            return f"'{value}'"
        return str(value)
