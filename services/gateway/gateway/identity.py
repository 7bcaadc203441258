"""Who is calling the gateway: the bearer token, checked and turned into a caller."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, HTTPException, Request

from gateway.db import Account
from gateway.tokens import InvalidToken, VerifiedTokens
from kulturbro_runtime import Caller, Role, require_role
from kulturbro_runtime.identity import ROLES_EXTENSION


async def bearer_caller(request: Request) -> tuple[UUID, Caller] | None:
    """The caller named by a valid bearer token; None without one; 401 for a bad one."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "send the access token as 'Authorization: Bearer <token>'")
    try:
        tokens: VerifiedTokens = request.app.state.verified_tokens
        return tokens.caller(token)
    except InvalidToken as error:
        raise HTTPException(401, str(error)) from error


async def _required(
    found: Annotated[tuple[UUID, Caller] | None, Depends(bearer_caller)],
) -> tuple[UUID, Caller]:
    if found is None:
        raise HTTPException(401, "sign in first: send 'Authorization: Bearer <access token>'")
    return found


async def _account(
    found: Annotated[tuple[UUID, Caller], Depends(_required)], request: Request
) -> Account:
    async with request.app.state.runtime.database.sessions() as session:
        account: Account | None = await session.get(Account, found[0])
    if account is None or not account.active:
        raise HTTPException(401, "this account is closed; ask your administrator")
    return account


SignedInDep = Annotated[tuple[UUID, Caller], Depends(_required)]
AccountDep = Annotated[Account, Depends(_account)]


def allow(*roles: Role) -> dict[str, Any]:
    """Route options that let only these roles in, checked before the body is read, and state
    it in the API document like the services' own `allow()`."""

    async def check(signed_in: SignedInDep) -> None:
        require_role(signed_in[1], *roles)

    return {
        "dependencies": [Depends(check)],
        "openapi_extra": {ROLES_EXTENSION: [role.value for role in roles]},
    }
