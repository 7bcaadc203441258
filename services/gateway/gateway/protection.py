"""Abuse limits at the edge: rate limits in Redis, body size limits, security headers."""

import hashlib
import logging

from fastapi import HTTPException, Request
from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kulturbro_runtime.client_address import (
    CLIENT_ADDRESS_HEADER,
    InvalidClientAddress,
    verify_client_address,
)
from kulturbro_runtime.errors import problem

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60


# One round trip, atomic: the count, the window started with it, and what is left of it.
# (EXPIRE NX would need Redis 7; the embedded one is 6.)
COUNT_IN_WINDOW = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if count <= tonumber(ARGV[2]) then return 0 end
return math.max(redis.call('TTL', KEYS[1]), 1)
"""
COUNT_IN_WINDOW_SHA1 = hashlib.sha1(COUNT_IN_WINDOW.encode()).hexdigest()


async def seconds_over_limit(redis: Redis, key: str, limit: int, fail_open: bool = True) -> int:
    """0 while the key has had at most `limit` requests in its one-minute window; past that, the
    seconds until the window ends. Redis keeps the counts for every gateway replica."""
    try:
        counted = (1, f"ratelimit:{key}", WINDOW_SECONDS, limit)
        try:
            wait = await redis.evalsha(COUNT_IN_WINDOW_SHA1, *counted)  # type: ignore[misc]
        except NoScriptError:  # Redis restarted, or this is the first time: EVAL keeps it
            wait = await redis.eval(COUNT_IN_WINDOW, *counted)  # type: ignore[misc]
    except RedisError as error:
        log.warning("rate limiter unavailable: %s", error)
        return 0 if fail_open else WINDOW_SECONDS
    return int(wait)


def too_many(detail: str, retry_after: int) -> HTTPException:
    return HTTPException(
        429, f"{detail}; try again in {retry_after} s", headers={"Retry-After": str(retry_after)}
    )


async def limit_sign_in(request: Request, email: str) -> None:
    """Tight per e-mail, against guessing one account's password or filling one mailbox with
    links; loose per address, which a whole school's network may share. Refused, not allowed,
    while Redis is away."""
    redis: Redis = request.app.state.redis
    settings = request.app.state.settings
    limits = {
        f"sign-in:email:{email.lower()}": (
            settings.sign_in_attempts_per_account_per_minute,
            "too many sign-in attempts for this account",
        ),
        f"sign-in:ip:{client_key(request)}": (
            settings.sign_in_attempts_per_address_per_minute,
            "too many sign-in attempts from your network address",
        ),
    }
    for key, (allowed, detail) in limits.items():
        wait = await seconds_over_limit(redis, key, allowed, fail_open=False)
        if wait:
            raise too_many(detail, wait)


def client_key(request: Request) -> str:
    """The caller's network address; for a platform client acting for a browser (the web), the
    browser's, when it comes back as the gateway signed it."""
    signed = request.headers.get(CLIENT_ADDRESS_HEADER)
    if signed:
        try:
            return verify_client_address(signed, request.app.state.runtime.secret)
        except InvalidClientAddress as error:
            log.warning("ignored a client address: %s", error)
    return request.client.host if request.client else "unknown"


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}
# The interactive docs load Swagger UI's scripts; every other response is data only, but for
# the few pages opened from mails (their own inline style, a form posting back to themselves).
API_CSP = "default-src 'none'; frame-ancestors 'none'"
PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
)


class BodySizeLimit:
    """Refuses bodies over the limit with 413, whether or not the client declared a length."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        # Read whole (the proxy holds it whole anyway) before the app sees it: a refusal raised
        # inside the app's own reads came out of its middleware as their failure, a 500.
        messages: list[Message] = []
        received = 0
        while not messages or messages[-1].get("more_body", False):
            messages.append(await receive())
            received += len(messages[-1].get("body", b""))
            if received > self.max_bytes:
                await self._refuse(scope, receive, send)
                return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"the request body is larger than {self.max_bytes} bytes; send less"
        await problem(413, detail)(scope, receive, send)
