"""The gateway's edge: clients for Redis, the services and the identity provider; middleware."""

from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
import jwt
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from redis.asyncio import Redis

from gateway import web_pages
from gateway.openapi import combined_document
from gateway.protection import API_CSP, PAGE_CSP, SECURITY_HEADERS, BodySizeLimit
from gateway.settings import GatewaySettings

DOCS_PATHS = ("/docs", "/redoc", "/openapi.json")


def upstream_client(
    timeout: float, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one client for every service and the pages. It speaks for many browsers at once, so
    it keeps no cookie: httpx would keep each Set-Cookie one browser is given (a session) and
    send it with every later request, whoever makes it."""
    keeps_none = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(timeout=timeout, cookies=keeps_none, transport=transport)


def configure_edge(app: FastAPI, settings: GatewaySettings) -> None:
    app.state.settings = settings
    app.state.redis = Redis.from_url(settings.redis_url, socket_timeout=2)
    app.state.upstream = upstream_client(settings.upstream_timeout_seconds)
    if settings.oidc_jwks_url:
        app.state.jwks = jwt.PyJWKClient(settings.oidc_jwks_url, cache_keys=True)
    app.router.on_shutdown.append(app.state.upstream.aclose)
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

    @app.middleware("http")
    async def security_headers(request: Request, call_next) -> Response:  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        # The web's pages bring their own policy (its scripts and styles), kept as they set it.
        own_policy = "Content-Security-Policy" in response.headers
        if not request.url.path.startswith(DOCS_PATHS) and not own_policy:
            page = response.headers.get("content-type", "").startswith("text/html")
            response.headers["Content-Security-Policy"] = PAGE_CSP if page else API_CSP
        return response

    app.add_middleware(
        CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-ID"],
    )  # fmt: skip
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
