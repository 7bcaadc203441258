"""Directory events: municipalities and their units, groups and teachers, from SS 12000 or CSV.

Only pupil counts travel, never pupils' personal data. Keyed by municipality, so one import's
facts arrive in the order they were made.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field

from kulturbro_contracts.envelope import Event
from kulturbro_contracts.vocabulary import (
    BookingPolicy,
    InvitationPreference,
    Language,
    TargetGroup,
    UnitKind,
)


class DirectoryEvent(Event):
    stream: ClassVar[str] = "directory"

    def key(self) -> str:
        return self.municipality_id


class Bus(BaseModel):
    name: str = Field(min_length=1)
    seats: int = Field(ge=1)
    wheelchair_places: int = Field(default=0, ge=0)


class Municipality(BaseModel):
    """A tenant: everything else in Kulturbro belongs to exactly one municipality."""

    name: str = Field(min_length=1)
    languages: list[Language] = Field(min_length=1, description="the first is the default")
    time_zone: str = Field(description="an IANA time zone, e.g. Europe/Stockholm")
    districts: list[str] = []
    default_booking_policy: BookingPolicy
    bus_fleet: Sequence[Bus] = []


class School(BaseModel):
    unit_id: UUID
    name: str = Field(min_length=1)
    kind: UnitKind
    school_forms: list[str] = []
    district: str | None = None
    address: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class Group(BaseModel):
    group_id: UUID
    unit_id: UUID
    name: str = Field(min_length=1)
    target_group: TargetGroup
    size: int = Field(ge=0, description="pupils or residents; a count, never a list of people")


class Teacher(BaseModel):
    teacher_id: UUID
    name: str = Field(min_length=1)
    email: EmailStr
    language: Language
    invitations: InvitationPreference = InvitationPreference.IMMEDIATE


class TeacherAssignment(BaseModel):
    teacher_id: UUID
    group_id: UUID


class MunicipalityRegistered(DirectoryEvent):
    event_type: Literal["MunicipalityRegistered"] = "MunicipalityRegistered"
    schema_version: Literal[1] = 1
    payload: Municipality


class MunicipalityUpdated(DirectoryEvent):
    event_type: Literal["MunicipalityUpdated"] = "MunicipalityUpdated"
    schema_version: Literal[1] = 1
    payload: Municipality


class SchoolRegistered(DirectoryEvent):
    event_type: Literal["SchoolRegistered"] = "SchoolRegistered"
    schema_version: Literal[1] = 1
    payload: School


class SchoolUpdated(DirectoryEvent):
    event_type: Literal["SchoolUpdated"] = "SchoolUpdated"
    schema_version: Literal[1] = 1
    payload: School


class SchoolRemoved(DirectoryEvent):
    event_type: Literal["SchoolRemoved"] = "SchoolRemoved"
    schema_version: Literal[1] = 1
    payload: School


class GroupRegistered(DirectoryEvent):
    event_type: Literal["GroupRegistered"] = "GroupRegistered"
    schema_version: Literal[1] = 1
    payload: Group


class GroupUpdated(DirectoryEvent):
    event_type: Literal["GroupUpdated"] = "GroupUpdated"
    schema_version: Literal[1] = 1
    payload: Group


class GroupRemoved(DirectoryEvent):
    event_type: Literal["GroupRemoved"] = "GroupRemoved"
    schema_version: Literal[1] = 1
    payload: Group


class TeacherRegistered(DirectoryEvent):
    event_type: Literal["TeacherRegistered"] = "TeacherRegistered"
    schema_version: Literal[1] = 1
    payload: Teacher


class TeacherUpdated(DirectoryEvent):
    event_type: Literal["TeacherUpdated"] = "TeacherUpdated"
    schema_version: Literal[1] = 1
    payload: Teacher


class TeacherRemoved(DirectoryEvent):
    event_type: Literal["TeacherRemoved"] = "TeacherRemoved"
    schema_version: Literal[1] = 1
    payload: Teacher


class TeacherAssigned(DirectoryEvent):
    event_type: Literal["TeacherAssigned"] = "TeacherAssigned"
    schema_version: Literal[1] = 1
    payload: TeacherAssignment


class TeacherUnassigned(DirectoryEvent):
    event_type: Literal["TeacherUnassigned"] = "TeacherUnassigned"
    schema_version: Literal[1] = 1
    payload: TeacherAssignment


class TeacherErasure(BaseModel):
    teacher_id: UUID
    left_at: datetime = Field(description="when the directory stopped listing the teacher")


class TeacherErased(DirectoryEvent):
    """The retention period after a teacher left has passed: whoever still keeps her name or
    e-mail (a delivery log, say) erases them now. Carries no contact data itself."""

    event_type: Literal["TeacherErased"] = "TeacherErased"
    schema_version: Literal[1] = 1
    payload: TeacherErasure
