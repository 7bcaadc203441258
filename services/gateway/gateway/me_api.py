"""A teacher's own data: all Kulturbro holds about her in one download, and asking for deletion.

The gateway assembles the download because only it can: each service alone reads its own schema,
so each answers `GET /me/data` for the caller, and the gateway, which knows where they are, asks
those that keep personal data with the caller's identity and adds what it keeps itself (her
account, sign-ins and actions). A service that cannot answer fails the whole download: a partial
one would read as complete."""

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import httpx
from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import col, select

from gateway.db import AuditEntry, DeletionRequest, MagicLink, RefreshToken
from gateway.identity import AccountDep, SignedInDep, allow
from kulturbro_contracts import limits
from kulturbro_runtime import Role, RuntimeDep
from kulturbro_runtime.identity import IDENTITY_HEADER, sign_identity

router = APIRouter(tags=["my data"])
# The services that keep personal data about a teacher (PRIVACY.md), each answering /me/data.
HOLDERS = ("directory", "booking", "notify")


class SignIn(BaseModel):
    how: str  # e-mail link or session
    at: datetime | None
    until: datetime | None


class Action(BaseModel):
    at: datetime
    method: str
    path: str
    status: int


class MyAccount(BaseModel):
    email: str
    role: Role
    municipality_id: str | None
    language: str


class MyData(BaseModel):
    account: MyAccount
    sign_ins: list[SignIn]
    actions: list[Action]
    services: dict[str, Any] = Field(description="each service's own answer to GET /me/data")


class DeletionRequestCreate(BaseModel):
    reason: str = Field(default="", max_length=2000)


class DeletionRequestHandled(BaseModel):
    note: str = Field(default="", max_length=2000, description="what was done, for colleagues")


class DeletionRequestPublic(BaseModel):
    id: UUID
    account_id: UUID
    subject: str | None
    municipality_id: str | None
    requested_at: datetime
    reason: str
    handled_at: datetime | None = Field(description="when it was marked handled; null: open")
    handled_by: str | None = Field(description="the e-mail of who marked it handled")
    handled_note: str


async def _from(request: Request, service: str, identity: str) -> Any:
    routes = request.app.state.settings.gateway_routes
    if service not in routes:
        raise HTTPException(503, f"the {service} service is not configured; try again later")
    client: httpx.AsyncClient = request.app.state.upstream
    try:
        answer = await client.get(
            f"{str(routes[service]).rstrip('/')}/me/data", headers={IDENTITY_HEADER: identity}
        )
    except httpx.HTTPError as error:
        raise HTTPException(
            503, f"the {service} service did not answer; try again shortly"
        ) from error
    if answer.status_code != 200:
        raise HTTPException(503, f"the {service} service could not answer; try again shortly")
    return answer.json()


@router.get("/me/data", response_model=MyData, **allow(Role.TEACHER))
async def my_data(
    request: Request, signed_in: SignedInDep, account: AccountDep, runtime: RuntimeDep
) -> MyData:
    """Everything Kulturbro holds about you, as JSON: what each service keeps and your account."""
    identity = sign_identity(signed_in[1], runtime.secret)
    answers = await asyncio.gather(*(_from(request, name, identity) for name in HOLDERS))
    async with runtime.database.sessions() as session:
        links = await session.exec(
            select(MagicLink).where(
                MagicLink.account_id == account.id, col(MagicLink.used_at).is_not(None)
            )
        )
        sessions = await session.exec(
            select(RefreshToken).where(RefreshToken.account_id == account.id)
        )
        actions = await session.exec(
            select(AuditEntry)
            .where(AuditEntry.account_id == account.id)
            .order_by(col(AuditEntry.at))
        )
        sign_ins = [SignIn(how="e-mail link", at=link.used_at, until=None) for link in links]
        sign_ins += [
            SignIn(how="session", at=None, until=t.revoked_at or t.expires_at) for t in sessions
        ]
        done = [Action.model_validate(entry, from_attributes=True) for entry in actions]
    return MyData(
        account=MyAccount.model_validate(account, from_attributes=True),
        sign_ins=sign_ins,
        actions=done,
        services=dict(zip(HOLDERS, answers, strict=True)),
    )


@router.post(
    "/me/deletion-request",
    status_code=201,
    response_model=DeletionRequestPublic,
    **allow(Role.TEACHER),
)
async def ask_for_deletion(
    body: DeletionRequestCreate, account: AccountDep, runtime: RuntimeDep
) -> DeletionRequest:
    """Ask your municipality to delete what Kulturbro holds about you; its administrator sees
    the request (GET /deletion-requests) and answers you. Asking again keeps the first request."""
    async with runtime.unit_of_work() as uow:
        earlier = (
            await uow.session.exec(
                select(DeletionRequest).where(DeletionRequest.account_id == account.id)
            )
        ).first()
        if earlier is not None:
            return earlier
        asked = DeletionRequest(
            account_id=account.id,
            subject=account.subject,
            municipality_id=account.municipality_id,
            requested_at=datetime.now(UTC),
            reason=body.reason,
        )
        uow.session.add(asked)
    return asked


@router.get(
    "/deletion-requests",
    response_model=list[DeletionRequestPublic],
    **allow(Role.ADMINISTRATOR, Role.OPERATOR),
)
async def deletion_requests(
    signed_in: SignedInDep,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=limits.MAX_OFFSET)] = 0,
) -> list[DeletionRequest]:
    """Teachers' requests to delete their data, oldest first: your municipality's (an
    operator's: all)."""
    caller = signed_in[1]
    query = select(DeletionRequest).order_by(col(DeletionRequest.requested_at))
    if caller.role != Role.OPERATOR:
        query = query.where(DeletionRequest.municipality_id == caller.municipality_id)
    async with runtime.database.sessions() as session:
        return list(await session.exec(query.limit(limit).offset(offset)))


@router.post(
    "/deletion-requests/{request_id}/handled",
    response_model=DeletionRequestPublic,
    **allow(Role.ADMINISTRATOR, Role.OPERATOR),
)
async def mark_handled(
    request_id: UUID,
    body: DeletionRequestHandled,
    signed_in: SignedInDep,
    account: AccountDep,
    runtime: RuntimeDep,
) -> DeletionRequest:
    """Mark a teacher's request handled once you have answered her and deleted what may be
    deleted; who marked it and when are kept with your note. Marking it again is refused."""
    caller = signed_in[1]
    async with runtime.unit_of_work() as uow:
        asked = await uow.session.get(DeletionRequest, request_id, with_for_update=True)
        if asked is None or (
            caller.role != Role.OPERATOR and asked.municipality_id != caller.municipality_id
        ):
            raise HTTPException(404, f"no deletion request {request_id} in your municipality")
        if asked.handled_at is not None:
            raise HTTPException(
                409,
                f"deletion request {request_id} was already marked handled by "
                f"{asked.handled_by} at {asked.handled_at:%Y-%m-%d %H:%M} UTC",
            )
        asked.handled_at = datetime.now(UTC)
        asked.handled_by = account.email
        asked.handled_note = body.note
        uow.session.add(asked)
    return asked
