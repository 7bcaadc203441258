"""Who is calling: an identity the gateway signs and every service verifies on every request.

A request that bypasses the gateway has no valid signature and is refused, so a service never
trusts a municipality named in a URL or a body.
"""

import base64
import hashlib
import hmac
import json
import time
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from pydantic import BaseModel, ValidationError

IDENTITY_HEADER = "X-Kulturbro-Identity"
IDENTITY_LIFETIME_SECONDS = 60


class Role(StrEnum):
    OPERATOR = "operator"
    ADMINISTRATOR = "administrator"
    ORGANIZER = "organizer"
    TEACHER = "teacher"
    ANALYST = "analyst"


class Caller(BaseModel):
    """A signed-in person. For a teacher the subject is the directory's teacher id; an organizer
    acts for the organizer organization named by organizer_id."""

    subject: str
    role: Role
    municipality_id: str | None = None
    organizer_id: str | None = None
    expires_at: int = 0


def sign_identity(caller: Caller, secret: str) -> str:
    caller = caller.model_copy(update={"expires_at": int(time.time()) + IDENTITY_LIFETIME_SECONDS})
    body = base64.urlsafe_b64encode(caller.model_dump_json().encode()).decode()
    return f"{body}.{_signature(body, secret)}"


def verify_identity(token: str, secret: str) -> Caller:
    body, _, signature = token.partition(".")
    if not hmac.compare_digest(signature, _signature(body, secret)):
        raise ValueError("the identity's signature does not match")
    try:
        caller = Caller.model_validate(json.loads(base64.urlsafe_b64decode(body)))
    except (ValueError, ValidationError) as error:
        raise ValueError("the identity is not readable") from error
    if caller.expires_at < time.time():
        raise ValueError("the identity has expired")
    return caller


def _signature(body: str, secret: str) -> str:
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


async def _caller(request: Request) -> Caller:
    # async, as every dependency on the hot path: a plain def would cost a hop to a worker thread
    token = request.headers.get(IDENTITY_HEADER)
    if not token:
        raise HTTPException(401, "sign in first: this endpoint needs the gateway's signed identity")
    try:
        return verify_identity(token, request.app.state.runtime.secret)
    except ValueError as error:
        raise HTTPException(401, f"{error}; sign in again") from error


async def _municipal_caller(caller: Annotated[Caller, Depends(_caller)]) -> Caller:
    if caller.municipality_id is None:
        raise HTTPException(403, "this endpoint serves one municipality; your sign-in has none")
    return caller


CallerDep = Annotated[Caller, Depends(_caller)]
MunicipalCallerDep = Annotated[Caller, Depends(_municipal_caller)]


ROLES_EXTENSION = "x-kulturbro-roles"
PUBLIC = "public"


def allow(*roles: Role, municipal: bool = True) -> dict[str, Any]:
    """Route options that let only these roles in (from one municipality, unless municipal is
    False) and state it in the API document, where the gateway's access matrix test reads it."""
    who = _municipal_caller if municipal else _caller

    async def check(caller: Annotated[Caller, Depends(who)]) -> None:
        require_role(caller, *roles)

    return {
        "dependencies": [Depends(check)],
        "openapi_extra": {ROLES_EXTENSION: [role.value for role in roles]},
    }


def public() -> dict[str, Any]:
    """Route options for an endpoint anyone may call, signed in or not."""
    return {"openapi_extra": {ROLES_EXTENSION: [PUBLIC]}}


def require_role(caller: Caller, *roles: Role) -> None:
    if caller.role not in roles:
        allowed = ", ".join(role.value for role in roles)
        raise HTTPException(
            403, f"your role {caller.role.value} may not do this; it needs {allowed}"
        )
