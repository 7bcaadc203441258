"""CSV files: the documented columns, and every bad line named with its column and reason."""

from importlib.resources import files

import pytest

from directory.csv_files import (
    GROUPS,
    TEACHERS,
    UNITS,
    CsvFiles,
    CsvRejected,
    LineError,
    decode,
    parse_csv_files,
)
from directory.municipalities import Area
from directory.records import Assignment, GroupRecord, Source, TeacherRecord, UnitRecord
from kulturbro_contracts.vocabulary import InvitationPreference, Language, TargetGroup, UnitKind

DEMO = files("directory") / "demo"
LANGUAGES = [Language.SV, Language.FI]
DISTRICTS = ["Centrum", "Norr", "Söder"]
UNITS_CSV = "id,name,kind,district\nS1,Byskolan,school,Norr\nH1,Lindgården,elderly_care_home,\n"
GROUPS_CSV = (
    "id,unit_id,name,target_group,size\nG1,S1,3A,grade_3,24\nG2,H1,Björken,elderly_care,9\n"
)
TEACHERS_CSV = "id,name,email,groups\nT1,Anna Berg,anna@byskolan.example,G1\n"


def parse(units: str = UNITS_CSV, groups: str = GROUPS_CSV, teachers: str = TEACHERS_CSV):  # type: ignore[no-untyped-def]
    return parse_csv_files(CsvFiles(units, groups, teachers), LANGUAGES, DISTRICTS)


def problems(**files: str) -> list[LineError]:
    with pytest.raises(CsvRejected) as rejected:
        parse(**files)
    return rejected.value.errors


def test_the_demo_files_describe_units_groups_and_teachers() -> None:
    demo = CsvFiles(*((DEMO / name).read_text() for name in (UNITS, GROUPS, TEACHERS)))
    snapshot = parse_csv_files(demo, [Language.SV, Language.FI, Language.EN], DISTRICTS)
    assert snapshot.source is Source.CSV
    assert (len(snapshot.units), len(snapshot.groups), len(snapshot.teachers)) == (4, 12, 8)
    assert len({g.target_group for g in snapshot.groups.values()}) >= 8
    assert len(snapshot.assignments) == 12


def test_every_column_is_read() -> None:
    snapshot = parse(
        units="id,name,kind,school_forms,district,address,latitude,longitude\n"
        "S1,Byskolan,School,fklass gr,Norr,Skolvägen 1,55.6,13.0\n",
        groups="id,unit_id,name,target_group,size\nG1,S1,3A,grade_3,24\n",
        teachers="id,name,email,language,invitations,groups\n"
        "T1,Aino Virtanen,Aino@Byskolan.example,fi,weekly_digest,G1\n",
    )
    assert snapshot.units == {
        "S1": UnitRecord(
            "S1", "Byskolan", UnitKind.SCHOOL, ("FKLASS", "GR"), "Norr", "Skolvägen 1", 55.6, 13.0
        )
    }
    assert snapshot.groups == {"G1": GroupRecord("G1", "S1", "3A", TargetGroup.GRADE_3, 24)}
    assert snapshot.teachers == {
        "T1": TeacherRecord(
            "T1",
            "Aino Virtanen",
            "Aino@byskolan.example",
            Language.FI,
            InvitationPreference.WEEKLY_DIGEST,
        )
    }
    assert snapshot.teachers["T1"].stated == {"language", "invitations"}
    assert snapshot.assignments == {Assignment("T1", "G1")}


def test_a_teacher_without_language_gets_the_municipalitys_first() -> None:
    teacher = parse().teachers["T1"]
    assert (teacher.language, teacher.invitations) == (
        Language.SV,
        InvitationPreference.IMMEDIATE,
    )
    assert teacher.stated == frozenset(), "so a re-import leaves the teacher's own choice"


def test_files_saved_by_a_swedish_spreadsheet_are_read() -> None:
    units = "\ufeffid;name;kind;latitude;longitude\r\nS1;Byskolan, norra;school;55,605;13,0035\r\n"
    empty = {"groups": "id;unit_id;name;target_group;size\r\n", "teachers": "id;name;email\r\n"}
    unit = parse(units=units, **empty).units["S1"]
    assert (unit.name, unit.latitude, unit.longitude) == ("Byskolan, norra", 55.605, 13.0035)


def test_one_bad_line_is_named_with_its_column_and_reason() -> None:
    groups = GROUPS_CSV.replace("G2,H1,Björken,elderly_care,9", "G2,H1,Björken,elderly_care,nio")
    assert problems(groups=groups) == [
        LineError(
            GROUPS,
            3,
            "size",
            "'nio' is not a number of pupils or residents; give a whole number from 0 to 1000",
        )
    ]


@pytest.mark.parametrize(
    ("file", "content", "expected"),
    [
        ("units", "id,name,kind\nS1,,castle\n", [
            (2, "name", "is empty; give the unit's name"),
            (2, "kind", "'castle' is not a kind of unit; use one of preschool, school, "
                        "elderly_care_home"),
        ]),
        ("units", "id,name,kind,district\nS1,A,school,Väster\n", [
            (2, "district", "'Väster' is not one of the municipality's districts: Centrum, "
                            "Norr, Söder"),
        ]),
        ("units", "id,name,kind,school_forms\nS1,A,school,GR GRUND\n", [
            (2, "school_forms", "'GRUND' is not an SS 12000 school form; use FS, FKLASS, GR, "
                                "GY or another SS 12000 code, separated by spaces"),
        ]),
        ("units", "id,name,kind,latitude,longitude\nS1,A,school,95,13\nS2,B,school,55.6,\n", [
            (2, "latitude", "'95' is not a latitude between -90 and 90"),
            (3, "longitude", "is empty while the other coordinate is given; give both or "
                             "neither"),
        ]),
        ("units", "id,name,kind\nS1,A,school\nS1,B,school\n", [
            (3, "id", "'S1' is already used on line 2"),
        ]),
        ("units", "id,name,kind\nS1,A,school,extra\n", [
            (2, None, "has 4 fields where the header names 3; put a value that holds ',' in "
                      "double quotes"),
        ]),
        ("groups", "id,unit_id,name,target_group,size\nG1,S9,3A,grade 3,-1\n", [
            (2, "unit_id", "'S9' is not an id in units.csv"),
            (2, "target_group", "'grade 3' is not a target group; use one of preschool_1_2, "
                                "preschool_3_5, preschool_class, grade_1, grade_2, grade_3, "
                                "grade_4, grade_5, grade_6, grade_7, grade_8, grade_9, "
                                "upper_secondary_1, upper_secondary_2, upper_secondary_3, "
                                "elderly_care, other"),
            (2, "size", "'-1' is not a number of pupils or residents; give a whole number from "
                        "0 to 1000"),
        ]),
        ("groups", "id,unit_id,name,target_group,size\nG1,S1,3A,grade_3,2147483648\n"
                   "G2,S1,3B,grade_3,²\n", [
            (2, "size", "'2147483648' is not a number of pupils or residents; give a whole "
                        "number from 0 to 1000"),
            (3, "size", "'²' is not a number of pupils or residents; give a whole number from 0 "
                        "to 1000"),
        ]),
        ("teachers", "id,name,email,language,invitations,groups\n"
                     "T1,Anna,anna@,de,often,G1 G7\n", [
            (2, "email", "'anna@' is not an e-mail address: There must be something after the "
                         "@-sign."),
            (2, "language", "'de' is not one of the municipality's languages; use one of sv, "
                            "fi"),
            (2, "invitations", "'often' is not an invitation preference; use one of "
                               "immediate, weekly_digest, none"),
            (2, "groups", "'G7' is not an id in groups.csv"),
        ]),
        ("teachers", "id,name,email\nT1,Anna,anna@a.example\nT2,Anna B,ANNA@a.example\n", [
            (3, "email", "'ANNA@a.example' is already used on line 2"),
        ]),
        ("teachers", "name,email,subject\nAnna,anna@a.example,music\n", [
            (1, "subject", "is not a known column; the header names id, name, email, and may "
                           "name language, invitations, groups"),
            (1, "id", "is missing; the header names id, name, email, and may name language, "
                      "invitations, groups"),
        ]),
        ("teachers", "", [
            (1, None, "is empty; the header names id, name, email, and may name language, "
                      "invitations, groups"),
        ]),
    ],
)  # fmt: skip
def test_each_problem_names_its_line_column_and_what_to_do(
    file: str, content: str, expected: list[tuple[int, str | None, str]]
) -> None:
    name = {"units": UNITS, "groups": GROUPS, "teachers": TEACHERS}[file]
    found = [e for e in problems(**{file: content}) if e.file == name]
    assert [(e.line, e.column, e.message) for e in found] == expected


def test_problems_in_several_files_are_all_reported_in_one_go() -> None:
    found = problems(units="id,name,kind\nS1,A,hut\n", teachers="id,name,email\nT1,,a@b.example\n")
    assert [str(e) for e in found] == [
        "units.csv line 2, column kind: 'hut' is not a kind of unit; use one of preschool, "
        "school, elderly_care_home",
        "groups.csv line 3, column unit_id: 'H1' is not an id in units.csv",
        "teachers.csv line 2, column name: is empty; give the teacher's or contact's name",
    ]


def test_a_file_that_is_not_utf8_is_named_with_the_line_it_breaks_on() -> None:
    with pytest.raises(CsvRejected) as rejected:
        decode(UNITS, "id,name,kind\nS1,Ängby,school\n".encode("cp1252"))
    assert [str(e) for e in rejected.value.errors] == [
        "units.csv line 2: is not UTF-8 text; save the file as 'CSV UTF-8'"
    ]


MALMO = Area(south=55.5, north=55.7, west=12.85, east=13.2)


def test_a_unit_outside_the_municipalitys_area_is_refused_with_its_line_and_column() -> None:
    units = (
        "id,name,kind,latitude,longitude\n"
        "S1,Byskolan,school,55.6,13.0\n"
        "S2,Swapped,school,13.0,55.6\n"
        "S3,Lund,school,55.70,13.45\n"
        "S4,Nowhere,school,,\n"
    )
    with pytest.raises(CsvRejected) as rejected:
        parse_csv_files(CsvFiles(units, "", ""), LANGUAGES, DISTRICTS, MALMO)
    outside = [e for e in rejected.value.errors if e.file == UNITS]
    assert [(e.line, e.column) for e in outside] == [
        (3, "latitude"),
        (3, "longitude"),
        (4, "longitude"),
    ]
    assert str(outside[2]) == (
        "units.csv line 4, column longitude: 55.7, 13.45 lies outside the municipality's area"
        " (latitude 55.5 to 55.7, longitude 12.85 to 13.2); check the coordinates (latitude"
        " first), or widen the area in the municipality's settings"
    )
    without_an_area = parse_csv_files(
        CsvFiles(units, "id,unit_id,name,target_group,size\n", "id,name,email\n"),
        LANGUAGES,
        DISTRICTS,
    )
    assert without_an_area.units["S2"].latitude == 13.0


def test_an_area_comes_with_its_edges_in_order() -> None:
    with pytest.raises(ValueError, match="south must be below north"):
        Area(south=55.7, north=55.5, west=12.85, east=13.2)
    with pytest.raises(ValueError, match="west must be below east"):
        Area(south=55.5, north=55.7, west=13.2, east=12.85)
