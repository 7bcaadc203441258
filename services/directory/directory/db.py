"""The directory's tables, in its own schema."""

from uuid import UUID, uuid4

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from kulturbro_contracts.vocabulary import UnitKind


class UnitBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    kind: UnitKind
    school_forms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    district: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class UnitCreate(UnitBase):
    pass


class Unit(UnitBase, table=True):
    id: UUID = Field(default_factory=uuid4, primary_key=True)
    municipality_id: str = Field(index=True, max_length=64)


class UnitPublic(UnitBase):
    id: UUID
