"""The statistics service's tables, in its own schema: local copies of what others tell it."""

from uuid import UUID

from sqlmodel import Field, SQLModel


class KnownUnit(SQLModel, table=True):
    """A unit as the directory last described it: the denominator of reach."""

    __tablename__ = "known_unit"

    unit_id: UUID = Field(primary_key=True)
    municipality_id: str = Field(index=True, max_length=64)
    name: str
    kind: str
    district: str | None = None
