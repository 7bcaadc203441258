"""The gateway's edge: clients for Redis, the services and the identity provider; middleware."""

from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
import jwt
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from redis.asyncio import Redis
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import web_pages
from gateway.audit import AuditLog
from gateway.openapi import combined_document
from gateway.protection import API_CSP, PAGE_CSP, SECURITY_HEADERS, BodySizeLimit
from gateway.settings import GatewaySettings
from gateway.tokens import VerifiedTokens
from gateway.upstream import ConnectionPools

DOCS_PATHS = ("/docs", "/redoc", "/openapi.json")


def upstream_client(
    timeout: float, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one client for every service and the pages. It speaks for many browsers at once, so
    it keeps no cookie: httpx would keep each Set-Cookie one browser is given (a session) and
    send it with every later request, whoever makes it."""
    keeps_none = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(timeout=timeout, cookies=keeps_none, transport=transport)


class SecurityHeaders:
    """Every answer's security headers, and a content policy where the answer has none of its
    own. Plain ASGI, as the runtime's own middleware, to cost little on every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith(DOCS_PATHS)

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(SECURITY_HEADERS)
                # The web's pages bring their own policy (its scripts and styles), kept as set.
                if not docs and "Content-Security-Policy" not in headers:
                    page = headers.get("content-type", "").startswith("text/html")
                    headers["Content-Security-Policy"] = PAGE_CSP if page else API_CSP
            await send(message)

        await self.app(scope, receive, secured)


def configure_edge(app: FastAPI, settings: GatewaySettings) -> None:
    app.state.settings = settings
    app.state.redis = Redis.from_url(settings.redis_url, socket_timeout=2)
    # httpx for the pages and the documents, which stream or are asked for rarely; the API's
    # requests, every one of them forwarded, on the gateway's own lean connections.
    app.state.upstream = upstream_client(settings.upstream_timeout_seconds)
    app.state.services = ConnectionPools(settings.upstream_timeout_seconds)
    app.state.audit = AuditLog(app.state.runtime.database)
    app.state.verified_tokens = VerifiedTokens(settings.kulturbro_secret_key.get_secret_value())
    if settings.oidc_jwks_url:
        app.state.jwks = jwt.PyJWKClient(settings.oidc_jwks_url, cache_keys=True)
    app.router.on_shutdown.append(app.state.upstream.aclose)
    app.router.on_shutdown.append(app.state.services.aclose)
    app.router.on_shutdown.append(app.state.audit.aclose)
    app.router.on_shutdown.append(app.state.redis.aclose)

    # The combined document replaces the gateway's own at the same address.
    app.router.routes[:] = [
        r for r in app.router.routes if getattr(r, "path", "") != "/openapi.json"
    ]

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_document() -> dict:  # type: ignore[type-arg]
        return await combined_document(app)

    # Last, so every path the gateway answers itself is matched first.
    app.include_router(web_pages.router)

    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-ID"],
    )  # fmt: skip
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
