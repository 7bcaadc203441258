"""Abuse limits at the edge: rate limits in Redis, body size limits, security headers."""

import logging

from fastapi import HTTPException, Request
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kulturbro_runtime.errors import problem

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60


async def within_limit(redis: Redis, key: str, limit: int, fail_open: bool = True) -> bool:
    """A fixed one-minute window per key; Redis keeps the counts for every gateway replica."""
    try:
        async with redis.pipeline(transaction=True) as pipe:
            # SET NX EX starts the window; EXPIRE NX would need Redis 7, the embedded one is 6.
            pipe.set(f"ratelimit:{key}", 0, ex=WINDOW_SECONDS, nx=True)
            pipe.incr(f"ratelimit:{key}")
            _, count = await pipe.execute()
    except RedisError as error:
        log.warning("rate limiter unavailable: %s", error)
        return fail_open
    return int(count) <= limit


async def limit_sign_in(request: Request, email: str) -> None:
    """Sign-in attempts per e-mail and per address; refused (not allowed) when Redis is away."""
    redis: Redis = request.app.state.redis
    allowed = request.app.state.settings.sign_in_attempts_per_minute
    client = request.client.host if request.client else "unknown"
    for key in (f"sign-in:email:{email.lower()}", f"sign-in:ip:{client}"):
        if not await within_limit(redis, key, allowed, fail_open=False):
            raise HTTPException(429, "too many sign-in attempts; wait a minute and try again")


def client_key(request: Request) -> str:
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
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"the request body is larger than {self.max_bytes} bytes; send less"
        await problem(413, detail)(scope, receive, send)


class _TooLarge(Exception):
    pass
