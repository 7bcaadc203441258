"""The web service: pages for every role, a client of the platform's public API like any app."""

from collections.abc import Awaitable, Callable
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

import httpx
from fastapi import FastAPI, Request, Response
from redis.asyncio import Redis

from kulturbro_runtime import Service
from web.assets import Assets
from web.errors import install_error_pages
from web.oidc import PendingFlows
from web.pages import (
    bookings,
    bus_rules,
    buses,
    evaluations,
    fairness,
    homes,
    imports,
    offers,
    office_audit,
    office_directory,
    office_draws,
    office_organizers,
    office_outreach,
    office_settings,
    open_indicators,
    organizer,
    preferences,
    public,
    reach,
    signing_in,
    statistics,
    teaching,
)
from web.platform import Platform
from web.sessions import RefreshGuard
from web.settings import WebSettings

# No inline script or style anywhere: every script and sheet is one of our own files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)


def configure(app: FastAPI, settings: WebSettings) -> None:
    # One client speaks for every reader, so it keeps no cookie a response might set.
    client = httpx.AsyncClient(
        base_url=str(settings.gateway_url).rstrip("/"),
        timeout=settings.platform_timeout_seconds,
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
    )
    redis = Redis.from_url(settings.redis_url, socket_timeout=2)
    app.state.settings = settings
    app.state.platform = platform = Platform(client)
    app.state.redis = redis
    app.state.refresh_guard = RefreshGuard(redis, platform)
    app.state.identity_provider = settings.identity_provider
    app.state.pending_flows = PendingFlows(redis)
    if settings.identity_provider is not None:
        # Only the provider's token endpoint is called with it, once per sign-in.
        provider_client = httpx.AsyncClient(
            timeout=settings.platform_timeout_seconds,
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        )
        app.state.provider_client = provider_client
        app.router.on_shutdown.append(provider_client.aclose)
    assets = Assets()
    app.include_router(assets.router)
    app.state.asset_url = assets.url
    app.router.on_shutdown.append(client.aclose)
    app.router.on_shutdown.append(redis.aclose)
    install_error_pages(app)

    @app.middleware("http")
    async def page_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        visitor = getattr(request.state, "visitor", None)
        if visitor is not None:
            visitor.set_cookies(response, settings.secure_cookies)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Vary", "Cookie, Accept-Language")
        return response


service = Service(
    name="web",
    description="The pages for teachers, organizers and culture offices, in sv, fi and en.",
    migrations=Path(__file__).with_name("migrations") / "versions",
    settings_class=WebSettings,
    routers=[
        public.router,
        signing_in.router,
        homes.router,
        teaching.router,
        bookings.router,
        buses.router,
        bus_rules.router,
        reach.router,
        offers.router,
        office_outreach.router,
        evaluations.router,
        preferences.router,
        imports.router,
        office_directory.router,
        organizer.router,
        office_settings.router,
        office_audit.router,
        office_organizers.router,
        office_draws.router,
        fairness.router,
        statistics.router,
        open_indicators.router,
    ],
    configure=configure,
)
