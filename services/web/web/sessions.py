"""A browser's session: the refresh token in one HttpOnly cookie, the short-lived access token in
another, and refreshing it without signing out a browser that asks twice at once."""

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import jwt

from kulturbro_runtime import Role
from web.platform import SignInAgain, TokenPair

SESSION_COOKIE = "kulturbro_session"
ACCESS_COOKIE = "kulturbro_access"
# As long as the gateway keeps a refresh token; the gateway is the one that decides.
SESSION_MAX_AGE_SECONDS = 30 * 24 * 3600
# Refreshed a little before it runs out, so a page's calls never carry an expired token.
EARLY_SECONDS = 10
REFRESH_LOCK_SECONDS = 10
# How long a refresh's result serves the other requests that came with the same old token.
REFRESHED_KEPT_SECONDS = 30


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    role: Role
    municipality_id: str | None
    organizer_id: str | None
    expires_at: float


def read_access_token(token: str | None, now: float) -> SignedIn | None:
    """Who the token says the reader is, while it is good for a while yet. The claims are read as
    a mobile app reads them, without checking the signature: they only choose which page to show;
    the gateway checks the token on every call for the page's data."""
    if not token:
        return None
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
        role = Role(claims["role"])
        expires_at = float(claims["exp"])
    except (jwt.PyJWTError, KeyError, ValueError, TypeError):
        return None
    if expires_at - EARLY_SECONDS <= now:
        return None
    return SignedIn(token, role, claims.get("mun"), claims.get("org"), expires_at)


class Store(Protocol):
    """What the refresh guard needs of Redis (and a test's fake)."""

    def get(self, name: str) -> Awaitable[Any]: ...

    def set(
        self, name: str, value: str, *, ex: int | None = None, nx: bool = False
    ) -> Awaitable[Any]: ...

    def delete(self, *names: str) -> Awaitable[Any]: ...


class Refresher(Protocol):
    async def refresh(self, refresh_token: str, address: str | None) -> TokenPair: ...


class RefreshGuard:
    """Refresh tokens are good for one use. Two requests of one browser carrying the same expired
    access token (two tabs, a page and its htmx call) must not both spend it: the second would be
    refused and the reader signed out. So one request refreshes under a short lock, and keeps the
    new pair for a moment under the old token's hash for the others to take."""

    def __init__(
        self,
        store: Store,
        platform: Refresher,
        wait_seconds: float = 5.0,
        poll_seconds: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.platform = platform
        self.wait_seconds = wait_seconds
        self.poll_seconds = poll_seconds
        self.clock = clock

    async def refresh(self, refresh_token: str, address: str | None) -> TokenPair | None:
        """The new pair, or None when the session is over (revoked, expired, unknown)."""
        hashed = hashlib.sha256(refresh_token.encode()).hexdigest()
        done_key, lock_key = f"web:refreshed:{hashed}", f"web:refreshing:{hashed}"
        if (found := await self._done(done_key)) is not None:
            return found
        if await self.store.set(lock_key, "1", ex=REFRESH_LOCK_SECONDS, nx=True):
            try:
                try:
                    pair = await self.platform.refresh(refresh_token, address)
                except SignInAgain:
                    return None
                await self.store.set(done_key, pair.model_dump_json(), ex=REFRESHED_KEPT_SECONDS)
                return pair
            finally:
                await self.store.delete(lock_key)
        deadline = self.clock() + self.wait_seconds
        while self.clock() < deadline:
            await asyncio.sleep(self.poll_seconds)
            if (found := await self._done(done_key)) is not None:
                return found
        return None

    async def _done(self, key: str) -> TokenPair | None:
        cached = await self.store.get(key)
        return TokenPair.model_validate_json(cached) if cached else None
