"""The gateway's tables: accounts, refresh tokens, sign-in links, the audit log, and its copy of
the catalog's organizers (the municipalities' is kulturbro_replicas.municipalities)."""

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, Column, Enum, Identity
from sqlmodel import Field, SQLModel

from kulturbro_runtime import Role


class Account(SQLModel, table=True):
    id: UUID = Field(default_factory=uuid4, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=320)
    # By name ('TEACHER') in a varchar, as the table has held it from the start.
    role: Role = Field(sa_type=Enum(Role, native_enum=False, create_constraint=False, length=20))
    municipality_id: str | None = Field(default=None, max_length=64)
    organizer_id: str | None = Field(default=None, max_length=64)
    # The domain id this account acts as, e.g. the directory's teacher id for a teacher.
    subject: str | None = Field(default=None, max_length=64)
    language: str = Field(default="sv", max_length=2)
    password_hash: str | None = None
    active: bool = True


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    account_id: UUID = Field(foreign_key="account.id", index=True)
    expires_at: datetime
    revoked_at: datetime | None = None


class MagicLink(SQLModel, table=True):
    __tablename__ = "magic_link"

    token_hash: str = Field(primary_key=True, max_length=64)
    account_id: UUID = Field(foreign_key="account.id")
    expires_at: datetime
    used_at: datetime | None = None


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    at: datetime
    account_id: UUID | None = None
    role: str | None = Field(default=None, max_length=20)
    municipality_id: str | None = Field(default=None, index=True, max_length=64)
    method: str = Field(max_length=10)
    path: str = Field(max_length=2000)
    status: int


class OrganizerCopy(SQLModel, table=True):
    """An organizer in a municipality's offering (OrganizerRegistered, once per municipality it
    joins): an organizer account acts for one of these, in one of its municipalities."""

    __tablename__ = "replica_organizer"

    organizer_id: UUID = Field(primary_key=True)
    municipality_id: str = Field(primary_key=True, max_length=64)


class DeletionRequest(SQLModel, table=True):
    """A teacher asks that what Kulturbro holds about her be deleted; the municipality's
    administrator decides and acts (much of it, bookings for one, the municipality must keep)."""

    __tablename__ = "deletion_request"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    account_id: UUID = Field(index=True)
    subject: str | None = Field(default=None, max_length=64)
    municipality_id: str | None = Field(default=None, index=True, max_length=64)
    requested_at: datetime
    reason: str = Field(default="", max_length=2000)
    # Marked handled by the culture office once it has answered her: who (their e-mail) and when.
    handled_at: datetime | None = None
    handled_by: str | None = Field(default=None, max_length=320)
    handled_note: str = Field(default="", max_length=2000, sa_column_kwargs={"server_default": ""})
