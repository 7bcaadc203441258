"""The parts of SS 12000's resources the directory reads (Skolverket's reference API).

Unknown fields and codes are let through, so a newer server does not stop an import.
"""

from dataclasses import dataclass
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class Resource(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class Reference(Resource):
    id: UUID


class Organisation(Resource):
    id: UUID
    display_name: str
    school_unit_code: str


class GroupMembership(Resource):
    person: Reference


class Group(Resource):
    id: UUID
    display_name: str
    group_type: str
    school_type: str | None = None
    organisation: Reference
    group_memberships: list[GroupMembership] = []


class Enrolment(Resource):
    enroled_at: Reference
    school_type: str
    school_year: int | None = None
    cancelled: bool = False


class Email(Resource):
    value: str
    type: str


class Person(Resource):
    id: UUID
    given_name: str
    family_name: str
    emails: list[Email] = []
    enrolments: list[Enrolment] = []


class Duty(Resource):
    id: UUID
    person: Reference | None = None
    duty_at: Reference
    duty_role: str


class DutyAssignment(Resource):
    duty: Reference


class Activity(Resource):
    id: UUID
    groups: list[Reference]
    teachers: list[DutyAssignment] = []


@dataclass(frozen=True)
class SchoolData:
    """Everything read from one SS 12000 server, complete before anything is written."""

    organisations: list[Organisation]
    groups: list[Group]
    persons: list[Person]
    duties: list[Duty]
    activities: list[Activity]
