"""The directory's tables, in its own schema."""

from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from kulturbro_contracts.vocabulary import (
    BookingPolicy,
    InvitationPreference,
    Language,
    TargetGroup,
    UnitKind,
)


def stored_as_value(enum: type[Enum]) -> sa.Enum:
    """An enum column holding the values people read ('school'), not the Python names."""
    return sa.Enum(
        enum,
        values_callable=lambda members: [member.value for member in members],
        native_enum=False,
        create_constraint=False,
        length=40,
    )


class Municipality(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    languages: list[str] = Field(sa_column=Column(JSON, nullable=False))
    time_zone: str = Field(max_length=64)
    districts: list[str] = Field(sa_column=Column(JSON, nullable=False))
    default_booking_policy: BookingPolicy = Field(sa_type=stored_as_value(BookingPolicy))
    bus_fleet: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    area: dict[str, float] | None = Field(default=None, sa_column=Column(JSON))


class UnitBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    kind: UnitKind = Field(sa_type=stored_as_value(UnitKind))
    school_forms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    district: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class UnitCreate(UnitBase):
    pass


class Imported(SQLModel):
    """Where an imported row came from: None for rows registered by hand."""

    source: str | None = Field(default=None, max_length=20)
    external_id: str | None = Field(default=None, max_length=200)


def one_per_source_id(table: str) -> UniqueConstraint:
    """One row per imported record, however often it is imported."""
    return UniqueConstraint("municipality_id", "source", "external_id", name=f"{table}_source_id")


class Unit(UnitBase, Imported, table=True):
    __table_args__ = (one_per_source_id("unit"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    municipality_id: str = Field(index=True, max_length=64)


class UnitPublic(UnitBase):
    id: UUID
    external_id: str | None


class GroupBase(SQLModel):
    unit_id: UUID = Field(foreign_key="unit.id", index=True)
    name: str = Field(max_length=200)
    target_group: TargetGroup = Field(sa_type=stored_as_value(TargetGroup))
    size: int


class Group(GroupBase, Imported, table=True):
    __table_args__ = (one_per_source_id("group"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    municipality_id: str = Field(index=True, max_length=64)


class GroupPublic(GroupBase):
    id: UUID
    external_id: str | None


class TeacherBase(SQLModel):
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    language: Language = Field(sa_type=stored_as_value(Language))
    invitations: InvitationPreference = Field(sa_type=stored_as_value(InvitationPreference))


class Teacher(TeacherBase, Imported, table=True):
    __table_args__ = (one_per_source_id("teacher"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    municipality_id: str = Field(index=True, max_length=64)


class TeacherPublic(TeacherBase):
    id: UUID
    external_id: str | None
    group_ids: list[UUID]


class TeacherGroup(SQLModel, table=True):
    """Who teaches (or is the contact for) which group."""

    __tablename__ = "teacher_group"

    teacher_id: UUID = Field(foreign_key="teacher.id", primary_key=True)
    group_id: UUID = Field(foreign_key="group.id", primary_key=True, index=True)


class TeacherDeparture(SQLModel, table=True):
    """A teacher the import no longer lists: her record went at once, and when the retention
    period after `left_at` has passed, the others are told to erase what they still keep."""

    __tablename__ = "teacher_departure"

    teacher_id: UUID = Field(primary_key=True)
    municipality_id: str = Field(max_length=64)
    left_at: datetime = Field(sa_type=sa.DateTime(timezone=True), index=True)
