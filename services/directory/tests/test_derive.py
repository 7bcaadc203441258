"""Units, groups, grades, pupil counts and teacher links derived from SS 12000, without I/O."""

import pytest
from pydantic import TypeAdapter

from directory.reconcile import reconcile
from directory.records import Source
from directory.report import build_report
from directory.ss12000.derive import derive_snapshot, target_group_of
from directory.ss12000.payloads import Activity, Duty, Group, Organisation, Person, SchoolData
from kulturbro_contracts.vocabulary import Language, TargetGroup, UnitKind

from .ss12000_fake import (
    CHANGES_REPORTED,
    PUPIL_FAMILY_NAME,
    SAMPLE_CLASSES,
    SAMPLE_TEACHING,
    SchoolYear,
    changed_school_year,
    sample_school_year,
)


def school_data(year: SchoolYear) -> SchoolData:
    return SchoolData(
        organisations=TypeAdapter(list[Organisation]).validate_python(year.organisations),
        groups=TypeAdapter(list[Group]).validate_python(year.groups),
        persons=TypeAdapter(list[Person]).validate_python(year.persons),
        duties=TypeAdapter(list[Duty]).validate_python(year.duties),
        activities=TypeAdapter(list[Activity]).validate_python(year.activities),
    )


@pytest.mark.parametrize(
    ("school_type", "school_year", "target_group"),
    [
        ("FS", None, TargetGroup.PRESCHOOL_3_5),
        ("FKLASS", 0, TargetGroup.PRESCHOOL_CLASS),
        ("GR", 1, TargetGroup.GRADE_1),
        ("GR", 9, TargetGroup.GRADE_9),
        ("GRS", 4, TargetGroup.GRADE_4),
        ("GR", 10, TargetGroup.OTHER),
        ("GR", None, TargetGroup.OTHER),
        ("GY", 1, TargetGroup.UPPER_SECONDARY_1),
        ("GYS", 3, TargetGroup.UPPER_SECONDARY_3),
        ("GY", 4, TargetGroup.OTHER),
        ("VUX", None, TargetGroup.OTHER),
    ],
)
def test_a_school_form_and_year_give_a_target_group(
    school_type: str, school_year: int | None, target_group: TargetGroup
) -> None:
    assert target_group_of(school_type, school_year) == target_group


def test_the_sample_gives_its_units_with_their_school_forms() -> None:
    snapshot = derive_snapshot(school_data(sample_school_year().year), Language.SV)
    units = {(u.name, u.kind, u.school_forms) for u in snapshot.units.values()}
    assert snapshot.source is Source.SS12000
    assert units == {
        ("Solrosens förskola", UnitKind.PRESCHOOL, ("FS",)),
        ("Ängslättsskolan", UnitKind.SCHOOL, ("FKLASS", "GR")),
        ("Strandgymnasiet", UnitKind.SCHOOL, ("GY",)),
    }


def test_classes_get_their_grade_and_pupil_count_and_other_groups_are_left_out() -> None:
    snapshot = derive_snapshot(school_data(sample_school_year().year), Language.SV)
    groups = {g.name: (g.target_group.value, g.size) for g in snapshot.groups.values()}
    assert groups == SAMPLE_CLASSES


def test_teachers_are_staff_who_teach_with_a_work_email_linked_to_their_classes() -> None:
    sample = sample_school_year()
    snapshot = derive_snapshot(school_data(sample.year), Language.FI)
    teachers = {t.external_id: t for t in snapshot.teachers.values()}
    groups = {g.external_id: g.name for g in snapshot.groups.values()}
    links = {(teachers[a.teacher].name, groups[a.group]) for a in snapshot.assignments}
    assert {(t.name, t.email, t.language) for t in teachers.values()} == {
        (f"{given} {family}", f"{given}.{family}@skola.example".lower(), Language.FI)
        for given, family in (
            ("Eva", "Holm"), ("Anna", "Berg"), ("Karin", "Lund"),
            ("Olle", "Nyström"), ("Jonas", "Ek"), ("Sara", "Falk"),
        )
    }  # fmt: skip
    assert links == {(name, group) for name, groups in SAMPLE_TEACHING.items() for group in groups}
    assert snapshot.notes == ("Lisa Utan (Lärare at Ängslättsskolan) has no work e-mail; left out",)


def test_no_pupil_is_named_in_what_is_derived() -> None:
    snapshot = derive_snapshot(school_data(sample_school_year().year), Language.SV)
    assert PUPIL_FAMILY_NAME not in repr(snapshot)
    assert "Elev1" not in repr(snapshot)


def test_the_most_common_enrolment_decides_and_cancelled_ones_do_not_count() -> None:
    year = SchoolYear()
    school = year.school("Byskolan", "1")
    year.group(school, "Åk 3-4", "GR", 3, 5)
    year.add_pupils("Åk 3-4", 6, "GR", 4)
    year.group(school, "Åk 5-6", "GR", 5, 4)
    year.add_pupils("Åk 5-6", 4, "GR", 6)  # a tie goes to the younger grade
    year.add_pupils("Åk 5-6", 3, "GR", 6)
    for person in year.persons[-3:]:
        person["enrolments"][0]["cancelled"] = True
    year.group(school, "Tom", "GR", None, 0)
    snapshot = derive_snapshot(school_data(year), Language.SV)
    groups = {g.name: (g.target_group, g.size) for g in snapshot.groups.values()}
    assert groups == {
        "Åk 3-4": (TargetGroup.GRADE_4, 11),
        "Åk 5-6": (TargetGroup.GRADE_5, 8),
        "Tom": (TargetGroup.OTHER, 0),
    }


def test_a_group_of_an_organisation_not_served_is_left_out_with_a_note() -> None:
    year = SchoolYear()
    school = year.school("Byskolan", "1")
    year.group(school, "1A", "GR", 1, 3)
    year.organisations.clear()
    snapshot = derive_snapshot(school_data(year), Language.SV)
    assert snapshot.groups == {}
    assert snapshot.notes == (
        "group '1A' belongs to an organisation the server did not list; left out",
    )


def test_a_term_later_the_report_names_exactly_what_changed() -> None:
    before = derive_snapshot(school_data(sample_school_year().year), Language.SV)
    after = derive_snapshot(school_data(changed_school_year()), Language.SV)
    report = build_report("malmo", before, after, reconcile(before, after), dry_run=True)
    assert report.model_dump(include=set(CHANGES_REPORTED)) == CHANGES_REPORTED
