"""What an import says a municipality has: units, groups, teachers, and who teaches which group.

Records are keyed by the source's own ids (external ids); Kulturbro's ids stay in the database.
"""

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import NamedTuple

from pydantic import EmailStr, TypeAdapter, ValidationError

from kulturbro_contracts.vocabulary import InvitationPreference, Language, TargetGroup, UnitKind

# SS 12000's school forms (Code_SchoolType), which CSV files use too.
SCHOOL_FORMS = (
    "FS", "FKLASS", "FTH", "OPPFTH", "GR", "GRS", "TR", "SP", "SAM", "GY", "GYS", "VUX",
    "VUXSFI", "VUXGR", "VUXGY", "VUXSARGR", "VUXSARTR", "VUXSARGY", "SFI", "SARVUX",
    "SARVUXGR", "SARVUXGY", "KU", "YH", "FHS", "STF", "KKU", "HS", "ABU", "AU",
)  # fmt: skip


class Source(StrEnum):
    """Each source keeps its own records, so a CSV of care homes never removes SS 12000 schools."""

    SS12000 = "ss12000"
    CSV = "csv"


@dataclass(frozen=True)
class UnitRecord:
    external_id: str
    name: str
    kind: UnitKind
    school_forms: tuple[str, ...] = ()
    district: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class GroupRecord:
    external_id: str
    unit: str
    name: str
    target_group: TargetGroup
    size: int


# A teacher's own choices: a source sets them for a new teacher, and changes them only where it
# states them (a CSV line with the column filled in); otherwise the teacher's choice stands.
TEACHERS_CHOICES = ("language", "invitations")


@dataclass(frozen=True)
class TeacherRecord:
    external_id: str
    name: str
    email: str
    language: Language
    invitations: InvitationPreference = InvitationPreference.IMMEDIATE
    stated: frozenset[str] = field(default=frozenset(TEACHERS_CHOICES), compare=False)


Record = UnitRecord | GroupRecord | TeacherRecord


class Assignment(NamedTuple):
    teacher: str
    group: str


@dataclass(frozen=True)
class Snapshot:
    source: Source
    units: dict[str, UnitRecord] = field(default_factory=dict)
    groups: dict[str, GroupRecord] = field(default_factory=dict)
    teachers: dict[str, TeacherRecord] = field(default_factory=dict)
    assignments: frozenset[Assignment] = frozenset()
    notes: tuple[str, ...] = ()


# SS 12000 has no districts, addresses or coordinates, and teachers choose their own language
# and invitations: an import from it leaves those as they are.
_SS12000_KNOWS: dict[type[Record], tuple[str, ...]] = {
    UnitRecord: ("name", "kind", "school_forms"),
    TeacherRecord: ("name", "email"),
}


def fields_known(source: Source, kind: type[Record]) -> tuple[str, ...]:
    """The fields of a record that this source describes, and so may change."""
    if source is Source.SS12000 and kind in _SS12000_KNOWS:
        return _SS12000_KNOWS[kind]
    return tuple(f.name for f in fields(kind) if f.name not in ("external_id", "stated"))


_EMAIL = TypeAdapter(EmailStr)


def checked_email(value: str) -> str:
    """The address as the contracts accept it, or ValueError saying what is wrong with it."""
    try:
        return str(_EMAIL.validate_python(value))
    except ValidationError as error:
        raise ValueError(
            error.errors()[0]["msg"].removeprefix("value is not a valid email address: ")
        ) from None
