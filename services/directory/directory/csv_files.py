"""CSV import for municipalities without SS 12000: one file each for units, groups and teachers.

Every bad line is reported with its column and what is wrong, and nothing is imported while any
line is bad. The columns are documented in the service's README.
"""

import csv
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from directory.municipalities import Area
from directory.records import (
    SCHOOL_FORMS,
    TEACHERS_CHOICES,
    Assignment,
    GroupRecord,
    Snapshot,
    Source,
    TeacherRecord,
    UnitRecord,
    checked_email,
)
from kulturbro_contracts import limits
from kulturbro_contracts.vocabulary import InvitationPreference, Language, TargetGroup, UnitKind

UNITS, GROUPS, TEACHERS = "units.csv", "groups.csv", "teachers.csv"
E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class Columns:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    def describe(self) -> str:
        optional = f", and may name {', '.join(self.optional)}" if self.optional else ""
        return f"the header names {', '.join(self.required)}{optional}"


UNIT_COLUMNS = Columns(
    ("id", "name", "kind"), ("school_forms", "district", "address", "latitude", "longitude")
)
GROUP_COLUMNS = Columns(("id", "unit_id", "name", "target_group", "size"))
TEACHER_COLUMNS = Columns(("id", "name", "email"), ("language", "invitations", "groups"))
_MAX_LENGTH = {"id": 200, "unit_id": 200, "name": 200, "district": 100, "address": 300}


@dataclass(frozen=True)
class LineError:
    file: str
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        column = f", column {self.column}" if self.column else ""
        return f"{self.file} line {self.line}{column}: {self.message}"


class CsvRejected(ValueError):
    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        shown = "; ".join(str(error) for error in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(f"{shown}{more}")


@dataclass(frozen=True)
class CsvFiles:
    units: str
    groups: str
    teachers: str


def decode(file: str, raw: bytes) -> str:
    """The text of a file saved as UTF-8, as spreadsheets do when asked for 'CSV UTF-8'."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problem = "is not UTF-8 text; save the file as 'CSV UTF-8'"
        raise CsvRejected([LineError(file, line, None, problem)]) from None


def parse_csv_files(
    files: CsvFiles,
    languages: Sequence[Language],
    districts: Sequence[str],
    area: Area | None = None,
) -> Snapshot:
    """The snapshot the three files describe, or CsvRejected naming every bad line."""
    errors: list[LineError] = []
    units, unit_ids = _units(files.units, districts, area, errors)
    groups, group_ids = _groups(files.groups, unit_ids, errors)
    teachers, assignments = _teachers(files.teachers, languages, group_ids, errors)
    if errors:
        raise CsvRejected(errors)
    return Snapshot(Source.CSV, units, groups, teachers, frozenset(assignments))


class _Line:
    """One line of a file, read column by column; its problems are collected, not raised."""

    def __init__(
        self, file: str, number: int, values: dict[str, str], errors: list[LineError]
    ) -> None:
        self.file = file
        self.number = number
        self.values = values
        self.errors = errors
        self.errors_before = len(errors)

    @property
    def ok(self) -> bool:
        return len(self.errors) == self.errors_before

    def problem(self, column: str | None, message: str) -> None:
        self.errors.append(LineError(self.file, self.number, column, message))

    def text(self, column: str) -> str:
        value = self.values.get(column, "").strip()
        limit = _MAX_LENGTH.get(column)
        if limit and len(value) > limit:
            self.problem(column, f"is {len(value)} characters long; at most {limit} fit")
        return value

    def required(self, column: str, what: str) -> str:
        value = self.text(column)
        if not value:
            self.problem(column, f"is empty; give {what}")
        return value

    def identifier(self, first_seen: dict[str, int]) -> str:
        value = self.required("id", "an id, unique in this file")
        if value in first_seen:
            self.problem("id", f"{value!r} is already used on line {first_seen[value]}")
        elif value:
            first_seen[value] = self.number
        return value

    def choice(self, column: str, allowed: Sequence[E], what: str) -> E | None:
        value = self.text(column)
        for member in allowed:
            if value.lower() == member.value:
                return member
        names = ", ".join(member.value for member in allowed)
        if value:
            self.problem(column, f"{value!r} is not {what}; use one of {names}")
        else:
            self.problem(column, f"is empty; give {what}: one of {names}")
        return None

    def count(self, column: str, what: str, most: int) -> int:
        value = self.text(column)
        # isdigit() alone lets through digits int() cannot read, such as '²'.
        if not (value.isascii() and value.isdigit()) or int(value) > most:
            self.problem(
                column, f"{value!r} is not a number of {what}; give a whole number from 0 to {most}"
            )
            return 0
        return int(value)

    def coordinate(self, column: str, limit: int) -> float | None:
        value = self.text(column)
        if not value:
            return None
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and -limit <= number <= limit):
            self.problem(column, f"{value!r} is not a {column} between -{limit} and {limit}")
            return None
        return number


def _lines(file: str, text: str, columns: Columns, errors: list[LineError]) -> Iterator[_Line]:
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    if not first.strip():
        errors.append(LineError(file, 1, None, f"is empty; {columns.describe()}"))
        return
    # Spreadsheets set to Swedish or Finnish save with semicolons, as the comma is their decimal.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    header_ok = True
    for name in header:
        if name not in columns.required + columns.optional:
            errors.append(LineError(file, 1, name, f"is not a known column; {columns.describe()}"))
            header_ok = False
    for name in columns.required:
        if name not in header:
            errors.append(LineError(file, 1, name, f"is missing; {columns.describe()}"))
            header_ok = False
    if not header_ok:
        return
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            message = (
                f"has {len(row)} fields where the header names {len(header)}; "
                f"put a value that holds {delimiter!r} in double quotes"
            )
            errors.append(LineError(file, reader.line_num, None, message))
            continue
        yield _Line(file, reader.line_num, dict(zip(header, row, strict=False)), errors)


def _units(
    text: str, districts: Sequence[str], area: Area | None, errors: list[LineError]
) -> tuple[dict[str, UnitRecord], set[str]]:
    units: dict[str, UnitRecord] = {}
    first_seen: dict[str, int] = {}
    for line in _lines(UNITS, text, UNIT_COLUMNS, errors):
        external_id = line.identifier(first_seen)
        name = line.required("name", "the unit's name")
        kind = line.choice("kind", list(UnitKind), "a kind of unit")
        forms = tuple(line.text("school_forms").upper().split())
        for form in forms:
            if form not in SCHOOL_FORMS:
                line.problem(
                    "school_forms",
                    f"{form!r} is not an SS 12000 school form; use FS, FKLASS, GR, GY or "
                    "another SS 12000 code, separated by spaces",
                )
        district = line.text("district") or None
        if district and districts and district not in districts:
            line.problem(
                "district",
                f"{district!r} is not one of the municipality's districts: {', '.join(districts)}",
            )
        latitude = line.coordinate("latitude", 90)
        longitude = line.coordinate("longitude", 180)
        given = {"latitude": line.text("latitude"), "longitude": line.text("longitude")}
        if bool(given["latitude"]) != bool(given["longitude"]):
            empty = "latitude" if not given["latitude"] else "longitude"
            line.problem(
                empty, "is empty while the other coordinate is given; give both or neither"
            )
        if area is not None and latitude is not None and longitude is not None:
            for column in area.outside(latitude, longitude):
                line.problem(
                    column,
                    f"{latitude}, {longitude} lies outside the municipality's area ({area}); "
                    "check the coordinates (latitude first), or widen the area in the "
                    "municipality's settings",
                )
        if line.ok and kind is not None:
            units[external_id] = UnitRecord(
                external_id, name, kind, forms, district, line.text("address") or None,
                latitude, longitude,
            )  # fmt: skip
    return units, set(first_seen)


def _groups(
    text: str, unit_ids: set[str], errors: list[LineError]
) -> tuple[dict[str, GroupRecord], set[str]]:
    groups: dict[str, GroupRecord] = {}
    first_seen: dict[str, int] = {}
    for line in _lines(GROUPS, text, GROUP_COLUMNS, errors):
        external_id = line.identifier(first_seen)
        unit = line.required("unit_id", f"the id of the group's unit in {UNITS}")
        if unit and unit not in unit_ids:
            line.problem("unit_id", f"{unit!r} is not an id in {UNITS}")
        name = line.required("name", "the group's name, e.g. 3A")
        target_group = line.choice("target_group", list(TargetGroup), "a target group")
        size = line.count("size", "pupils or residents", limits.MAX_PUPILS_PER_GROUP)
        if line.ok and target_group is not None:
            groups[external_id] = GroupRecord(external_id, unit, name, target_group, size)
    return groups, set(first_seen)


def _teachers(
    text: str, languages: Sequence[Language], group_ids: set[str], errors: list[LineError]
) -> tuple[dict[str, TeacherRecord], set[Assignment]]:
    teachers: dict[str, TeacherRecord] = {}
    assignments: set[Assignment] = set()
    first_seen: dict[str, int] = {}
    email_first_seen: dict[str, int] = {}
    for line in _lines(TEACHERS, text, TEACHER_COLUMNS, errors):
        external_id = line.identifier(first_seen)
        name = line.required("name", "the teacher's or contact's name")
        email = line.required("email", "the address invitations are sent to")
        if email:
            try:
                email = checked_email(email)
            except ValueError as problem:
                line.problem("email", f"{email!r} is not an e-mail address: {problem}")
            if email.lower() in email_first_seen:
                line.problem(
                    "email", f"{email!r} is already used on line {email_first_seen[email.lower()]}"
                )
            email_first_seen.setdefault(email.lower(), line.number)
        language = (
            line.choice("language", languages, "one of the municipality's languages")
            if line.text("language")
            else languages[0]
        )
        invitations = (
            line.choice("invitations", list(InvitationPreference), "an invitation preference")
            if line.text("invitations")
            else InvitationPreference.IMMEDIATE
        )
        groups = line.text("groups").split()
        for group in groups:
            if group not in group_ids:
                line.problem("groups", f"{group!r} is not an id in {GROUPS}")
        if line.ok and language is not None and invitations is not None:
            stated = frozenset(column for column in TEACHERS_CHOICES if line.text(column))
            teachers[external_id] = TeacherRecord(
                external_id, name, email, language, invitations, stated
            )
            assignments.update(Assignment(external_id, group) for group in groups)
    return teachers, assignments
