"""Sessions: the access token read for the page to show, and one refresh shared by a browser's
requests that come at once with the same expired token."""

import asyncio
import hashlib
import time

import jwt
import pytest

from kulturbro_runtime import Role
from web.platform import SignInAgain, TokenPair
from web.sessions import EARLY_SECONDS, RefreshGuard, read_access_token


class FakeRedis:
    """Just what the guard uses: get, set (ex, nx) and delete; expiry is not needed here."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    async def get(self, name: str) -> str | None:
        return self.values.get(name)

    async def set(
        self, name: str, value: str, *, ex: int | None = None, nx: bool = False
    ) -> bool | None:
        if nx and name in self.values:
            return None
        self.values[name] = value
        return True

    async def delete(self, *names: str) -> int:
        return sum(self.values.pop(name, None) is not None for name in names)


class FakeGateway:
    """Refresh tokens good for one use, as the gateway's: a second use is refused (401)."""

    def __init__(self, delay: float = 0.05) -> None:
        self.live = {"old-refresh"}
        self.calls = 0
        self.delay = delay

    async def refresh(self, refresh_token: str, address: str | None) -> TokenPair:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if refresh_token not in self.live:
            raise SignInAgain("the refresh token is used, revoked or expired; sign in again")
        self.live.remove(refresh_token)
        new = f"refresh-{self.calls}"
        self.live.add(new)
        return TokenPair(access_token=f"access-{self.calls}", refresh_token=new, expires_in=900)


async def test_two_requests_at_once_with_one_expired_token_share_one_refresh() -> None:
    gateway = FakeGateway()
    guard = RefreshGuard(FakeRedis(), gateway, poll_seconds=0.01)
    first, second = await asyncio.gather(
        guard.refresh("old-refresh", "10.0.0.1"), guard.refresh("old-refresh", "10.0.0.1")
    )
    assert gateway.calls == 1
    assert first is not None and first == second
    assert first.refresh_token in gateway.live


async def test_without_the_guard_the_second_request_would_be_signed_out() -> None:
    """What the guard prevents, shown with the fake: proof the fake is as strict as the gateway."""
    gateway = FakeGateway()
    outcomes = await asyncio.gather(
        gateway.refresh("old-refresh", None),
        gateway.refresh("old-refresh", None),
        return_exceptions=True,
    )
    assert sum(isinstance(outcome, SignInAgain) for outcome in outcomes) == 1


async def test_a_request_after_the_refresh_takes_the_kept_pair() -> None:
    gateway = FakeGateway(delay=0)
    guard = RefreshGuard(FakeRedis(), gateway)
    first = await guard.refresh("old-refresh", None)
    later = await guard.refresh("old-refresh", None)
    assert gateway.calls == 1 and later == first


async def test_a_spent_refresh_token_ends_the_session() -> None:
    gateway = FakeGateway(delay=0)
    gateway.live.clear()
    assert await RefreshGuard(FakeRedis(), gateway).refresh("old-refresh", None) is None


async def test_a_waiter_gives_up_when_the_refresh_never_finishes() -> None:
    store = FakeRedis()
    await store.set("web:refreshing:" + hashlib.sha256(b"stuck").hexdigest(), "1")
    now = [0.0]

    def clock() -> float:
        now[0] += 1.0  # each look at the clock moves it a second on
        return now[0]

    guard = RefreshGuard(store, FakeGateway(), wait_seconds=3, poll_seconds=0, clock=clock)
    assert await guard.refresh("stuck", None) is None


def a_token(role: str, expires_in: float, **claims: object) -> str:
    body = {"role": role, "exp": int(time.time() + expires_in), "sub": "x"} | claims
    return jwt.encode(body, "any-key-the-web-does-not-check-32b", algorithm="HS256")


def test_an_access_token_names_the_role_and_municipality_while_it_is_good() -> None:
    token = a_token("teacher", 600, mun="malmo")
    found = read_access_token(token, time.time())
    assert found is not None
    assert (found.role, found.municipality_id, found.access_token) == (
        Role.TEACHER,
        "malmo",
        token,
    )


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "not-a-jwt",
        a_token("teacher", EARLY_SECONDS - 1),  # about to run out: refreshed first
        a_token("teacher", -60),
        a_token("janitor", 600),
    ],
)
def test_an_expired_unreadable_or_unknown_token_is_no_session(token: str | None) -> None:
    assert read_access_token(token, time.time()) is None
