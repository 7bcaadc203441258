"""Access tokens (short-lived JWTs) and opaque refresh and sign-in tokens, stored only as hashes."""

import hashlib
import secrets
import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt
from pydantic import BaseModel

from gateway.db import Account
from kulturbro_runtime import Caller, Role

ISSUER = "kulturbro-gateway"
AUDIENCE = "kulturbro"
ALGORITHM = "HS256"


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


class InvalidToken(ValueError):
    pass


def issue_access_token(account: Account, secret: str, minutes: int) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(account.id),
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
        "role": account.role.value,
        "mun": account.municipality_id,
        "org": account.organizer_id,
        "subj": account.subject,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def _verified(token: str, secret: str) -> tuple[UUID, Caller, int]:
    """Who the token names, and when it expires (Unix time)."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
            options={"require": ["exp", "sub", "role"]},
        )  # fmt: skip
        account_id = UUID(claims["sub"])
        caller = Caller(
            subject=claims.get("subj") or claims["sub"],
            role=Role(claims["role"]),
            municipality_id=claims.get("mun"),
            organizer_id=claims.get("org"),
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken("the access token has expired; refresh it") from error
    except (jwt.InvalidTokenError, ValueError, KeyError) as error:
        raise InvalidToken("the access token is not valid; sign in again") from error
    return account_id, caller, int(claims["exp"])


class VerifiedTokens:
    """Access tokens already verified, until they expire, the most recently used kept: a client
    sends the same token with every request, and verifying it each time (PyJWT) was a few per
    cent of the gateway's CPU. Refusals are not kept. Nothing revokes an access token before it
    expires (signing out revokes the refresh token), so keeping it changes no answer."""

    def __init__(self, secret: str, most: int = 10_000) -> None:
        self.secret = secret
        self.most = most
        self.found: OrderedDict[str, tuple[UUID, Caller, int]] = OrderedDict()

    def caller(self, token: str) -> tuple[UUID, Caller]:
        known = self.found.get(token)
        if known is not None and known[2] > time.time():
            self.found.move_to_end(token)
            return known[0], known[1]
        self.found.pop(token, None)
        account_id, caller, expires = _verified(token, self.secret)  # raises if expired
        self.found[token] = (account_id, caller, expires)
        if len(self.found) > self.most:
            self.found.popitem(last=False)
        return account_id, caller


def new_opaque_token() -> tuple[str, str]:
    """A random token for the client, and the hash we keep of it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
