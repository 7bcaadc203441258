"""Staff accounts and the audit log, for operators and municipal administrators."""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, EmailStr, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway import tenants
from gateway.db import Account, AuditEntry
from gateway.identity import SignedInDep, allow
from gateway.passwords import MIN_LENGTH, hash_password
from kulturbro_contracts import limits
from kulturbro_runtime import Caller, Role, RuntimeDep

router = APIRouter(tags=["accounts"])
# What an administrator may hand out in their own municipality; operators may hand out anything.
ADMINISTRATOR_GRANTS = {Role.ADMINISTRATOR, Role.ORGANIZER, Role.ANALYST}
STAFF = (Role.OPERATOR, Role.ADMINISTRATOR)


class AccountCreate(BaseModel):
    email: EmailStr
    role: Role
    municipality_id: str | None = Field(default=None, max_length=64)
    organizer_id: str | None = Field(default=None, max_length=64)
    language: Literal["sv", "fi", "en"] = "sv"
    password: str | None = Field(default=None, min_length=MIN_LENGTH, max_length=1000)


class AccountPublic(BaseModel):
    id: UUID
    email: str
    role: Role
    municipality_id: str | None
    organizer_id: str | None
    active: bool


class AuditPublic(BaseModel):
    at: str
    account_id: UUID | None
    role: str | None
    municipality_id: str | None
    method: str
    path: str
    status: int


def _granted_municipality(caller: Caller, body: AccountCreate) -> str | None:
    if caller.role == Role.OPERATOR:
        if body.role not in (Role.OPERATOR, Role.ANALYST) and not body.municipality_id:
            raise HTTPException(422, "municipality_id: a municipal account needs its municipality")
        return body.municipality_id
    if body.role not in ADMINISTRATOR_GRANTS:
        allowed = ", ".join(sorted(role.value for role in ADMINISTRATOR_GRANTS))
        raise HTTPException(403, f"administrators may create {allowed} accounts only")
    return caller.municipality_id  # never the body's: an administrator stays in their own


async def _unknown_tenant(
    session: AsyncSession, caller: Caller, municipality: str | None, organizer_id: str | None
) -> str | None:
    # An administrator's own municipality is vouched for by their account.
    if municipality is not None and caller.role == Role.OPERATOR:
        problem = await tenants.unknown_municipality(session, municipality)
        if problem is not None:
            return f"municipality_id: {problem}"
    if organizer_id is not None:
        problem = await tenants.unknown_organizer(session, organizer_id, municipality)
        if problem is not None:
            return f"organizer_id: {problem}"
    return None


@router.post("/accounts", status_code=201, response_model=AccountPublic, **allow(*STAFF))
async def create_account(
    body: AccountCreate, signed_in: SignedInDep, runtime: RuntimeDep
) -> Account:
    municipality = _granted_municipality(signed_in[1], body)
    if body.role == Role.ORGANIZER and not body.organizer_id:
        raise HTTPException(422, "organizer_id: an organizer account acts for an organizer")
    async with runtime.database.sessions() as session:
        problem = await _unknown_tenant(session, signed_in[1], municipality, body.organizer_id)
    if problem is not None:
        raise HTTPException(422, problem)
    account = Account(
        email=body.email.lower(), role=body.role, municipality_id=municipality,
        organizer_id=body.organizer_id, language=body.language,
        password_hash=hash_password(body.password) if body.password else None,
    )  # fmt: skip
    try:
        async with runtime.unit_of_work() as uow:
            uow.session.add(account)
    except IntegrityError as error:
        raise HTTPException(409, f"an account with e-mail {body.email} exists already") from error
    return account


@router.get("/accounts", response_model=list[AccountPublic], **allow(*STAFF))
async def list_accounts(
    signed_in: SignedInDep, runtime: RuntimeDep, limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=limits.MAX_OFFSET),
    role: Annotated[Role | None, Query(description="only accounts with this role")] = None,
) -> list[Account]:  # fmt: skip
    caller = signed_in[1]
    query = select(Account).order_by(col(Account.email)).limit(limit).offset(offset)
    if role is not None:
        query = query.where(Account.role == role)
    if caller.role != Role.OPERATOR:
        query = query.where(Account.municipality_id == caller.municipality_id)
    async with runtime.database.sessions() as session:
        return list(await session.exec(query))


@router.get("/audit", response_model=list[AuditPublic], **allow(*STAFF))
async def audit_log(
    signed_in: SignedInDep, runtime: RuntimeDep, limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=limits.MAX_OFFSET),
) -> list[AuditPublic]:  # fmt: skip
    caller = signed_in[1]
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit).offset(offset)
    if caller.role != Role.OPERATOR:
        query = query.where(AuditEntry.municipality_id == caller.municipality_id)
    async with runtime.database.sessions() as session:
        entries = list(await session.exec(query))
    return [
        AuditPublic(**entry.model_dump(exclude={"id", "at"}), at=entry.at.isoformat())
        for entry in entries
    ]
