"""What an import changes and how it reports it, without I/O."""

from dataclasses import replace
from itertools import product

from hypothesis import given
from hypothesis import strategies as st

from directory.reconcile import Changes, Diff, reconcile
from directory.records import (
    Assignment,
    GroupRecord,
    Snapshot,
    Source,
    TeacherRecord,
    UnitRecord,
)
from directory.report import build_report
from kulturbro_contracts.vocabulary import InvitationPreference, Language, TargetGroup, UnitKind

SCHOOL = UnitRecord("S1", "Byskolan", UnitKind.SCHOOL, ("GR",), "Norr", "Skolvägen 1", 55.6, 13.0)
CLASS_3A = GroupRecord("G1", "S1", "3A", TargetGroup.GRADE_3, 24)
CLASS_4A = GroupRecord("G2", "S1", "4A", TargetGroup.GRADE_4, 22)
ANNA = TeacherRecord("T1", "Anna Berg", "anna@byskolan.example", Language.SV)
CLASS_5A = GroupRecord("G3", "S1", "5A", TargetGroup.GRADE_5, 20)
OLLE = TeacherRecord("T2", "Olle Ek", "olle@byskolan.example", Language.SV)


def snapshot(source: Source = Source.CSV, **records: object) -> Snapshot:
    defaults: dict[str, object] = {
        "units": [SCHOOL],
        "groups": [CLASS_3A, CLASS_4A],
        "teachers": [ANNA, OLLE],
    }
    kinds = defaults | {k: v for k, v in records.items() if k != "assignments"}
    return Snapshot(
        source,
        **{kind: {r.external_id: r for r in rs} for kind, rs in kinds.items()},  # type: ignore[attr-defined]
        assignments=frozenset(records.get("assignments", {Assignment("T1", "G1")})),  # type: ignore[arg-type]
    )


def applied(current: Snapshot, changes: Changes) -> Snapshot:
    def patch(records: dict, diff: Diff) -> dict:  # type: ignore[type-arg]
        result = dict(records)
        result.update({record.external_id: record for record in diff.added})
        result.update({change.after.external_id: change.after for change in diff.changed})
        for record in diff.removed:
            del result[record.external_id]
        return result

    return Snapshot(
        current.source,
        patch(current.units, changes.units),
        patch(current.groups, changes.groups),
        patch(current.teachers, changes.teachers),
        (current.assignments - set(changes.unassigned)) | set(changes.assigned),
    )


def test_the_same_snapshot_again_changes_nothing() -> None:
    changes = reconcile(snapshot(), snapshot())
    report = build_report("malmo", snapshot(), snapshot(), changes, dry_run=False)
    assert len(changes) == 0
    assert not report.changed_anything()


def test_the_report_names_exactly_what_was_added_changed_and_removed() -> None:
    current = snapshot()
    incoming = snapshot(
        groups=[replace(CLASS_3A, size=25, name="3 A"), CLASS_5A],
        teachers=[ANNA, replace(OLLE, email="olle.ek@byskolan.example")],
        assignments={Assignment("T2", "G3")},
    )
    report = build_report("malmo", current, incoming, reconcile(current, incoming), dry_run=True)
    assert report.text() == "\n".join(
        [
            "csv import for 'malmo', a dry run: nothing was written",
            "units: 0 added, 0 changed, 0 removed",
            "groups: 1 added, 1 changed, 1 removed",
            "  + 5A at Byskolan",
            "  ~ 3A at Byskolan: name '3A' → '3 A', size 24 → 25",
            "  - 4A at Byskolan",
            "teachers: 0 added, 1 changed, 0 removed",
            "  ~ Olle Ek <olle@byskolan.example>: email 'olle@byskolan.example' → "
            "'olle.ek@byskolan.example'",
            "teacher assignments: 1 added, 0 changed, 1 removed",
            "  + Olle Ek teaches 5A at Byskolan",
            "  - Anna Berg teaches 3 A at Byskolan",
        ]
    )


def test_ss12000_leaves_what_it_does_not_know_as_it_was() -> None:
    current = snapshot(Source.SS12000, teachers=[replace(ANNA, language=Language.FI), OLLE])
    incoming = snapshot(
        Source.SS12000,
        units=[replace(SCHOOL, district=None, address=None, latitude=None, longitude=None)],
        teachers=[replace(ANNA, invitations=InvitationPreference.NONE)],
    )
    changes = reconcile(current, incoming)
    assert len(changes.units) == 0
    assert [c.fields() for c in changes.teachers.changed] == []
    assert [r.name for r in changes.teachers.removed] == ["Olle Ek"]


def test_a_csv_line_without_language_or_invitations_leaves_the_teachers_choice() -> None:
    chose = replace(ANNA, language=Language.FI, invitations=InvitationPreference.NONE)
    current = snapshot(Source.CSV, teachers=[chose])
    silent = replace(ANNA, name="Anna Berg-Ek", stated=frozenset())
    (change,) = reconcile(current, snapshot(Source.CSV, teachers=[silent])).teachers.changed
    assert change.fields() == ["name"]
    assert (change.after.language, change.after.invitations) == (Language.FI, "none")

    stating = replace(ANNA, stated=frozenset({"invitations"}))
    (change,) = reconcile(current, snapshot(Source.CSV, teachers=[stating])).teachers.changed
    assert change.fields() == ["invitations"], "a value in the column is the municipality's word"


def test_a_unit_renamed_in_ss12000_is_changed_keeping_its_district() -> None:
    current = snapshot(Source.SS12000)
    incoming = snapshot(Source.SS12000, units=[replace(SCHOOL, name="Byskolan F-6", district=None)])
    (change,) = reconcile(current, incoming).units.changed
    assert change.fields() == ["name"]
    assert change.after.district == "Norr"


IDS = ("a", "b", "c")


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    units = {
        key: UnitRecord(key, name, kind, district=district)
        for key, (name, kind, district) in draw(
            st.dictionaries(
                st.sampled_from(IDS),
                st.tuples(
                    st.sampled_from(["Byskolan", "Ängby"]),
                    st.sampled_from(list(UnitKind)),
                    st.sampled_from([None, "Norr"]),
                ),
            )
        ).items()
    }
    groups = (
        {
            key: GroupRecord(key, unit, name, target, size)
            for key, (unit, name, target, size) in draw(
                st.dictionaries(
                    st.sampled_from(IDS),
                    st.tuples(
                        st.sampled_from(sorted(units)),
                        st.sampled_from(["3A", "4B"]),
                        st.sampled_from([TargetGroup.GRADE_3, TargetGroup.ELDERLY_CARE]),
                        st.integers(0, 3),
                    ),
                )
            ).items()
        }
        if units
        else {}
    )
    teachers = {
        key: TeacherRecord(key, name, f"{name}@x.example", language)
        for key, (name, language) in draw(
            st.dictionaries(
                st.sampled_from(IDS),
                st.tuples(st.sampled_from(["anna", "olle"]), st.sampled_from(list(Language))),
            )
        ).items()
    }
    pairs = [Assignment(t, g) for t, g in product(sorted(teachers), sorted(groups))]
    assignments = draw(st.frozensets(st.sampled_from(pairs))) if pairs else frozenset()
    return Snapshot(Source.CSV, units, groups, teachers, assignments)


@given(snapshots(), snapshots())
def test_applying_the_changes_gives_exactly_what_the_source_says(
    current: Snapshot, incoming: Snapshot
) -> None:
    changes = reconcile(current, incoming)
    assert applied(current, changes) == incoming
    assert len(reconcile(applied(current, changes), incoming)) == 0
