"""A Kulturbro service: name, settings, subscriptions and HTTP API, wired alike for all."""

import inspect
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry.trace import INVALID_SPAN, SpanKind
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kulturbro_runtime import context, metrics
from kulturbro_runtime.consumer import HandlerTable
from kulturbro_runtime.docs import install_docs
from kulturbro_runtime.errors import answer_unexpected, install_error_handlers
from kulturbro_runtime.identity import public
from kulturbro_runtime.logs import configure_logging
from kulturbro_runtime.migrations import migrate
from kulturbro_runtime.retention import RetentionJob, retention_task, run_retention
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.settings import ServiceSettings, load_settings
from kulturbro_runtime.telemetry import configure_tracing, extract_context, tracer
from kulturbro_runtime.text_guard import RefuseNulCharacters


@dataclass
class Service:
    name: str
    description: str
    migrations: Path
    settings_class: type[ServiceSettings] = ServiceSettings
    handlers: HandlerTable = field(default_factory=dict)
    routers: Sequence[APIRouter] = ()
    # Long-running jobs of the service's own (e.g. the allocation's draws when windows close).
    background: Sequence[Callable[[Runtime], Coroutine[Any, Any, None]]] = ()
    # What it erases when its period has run out, every RETENTION_INTERVAL_SECONDS in the
    # background and at once with `kulturbro retention run NAME` (PRIVACY.md).
    retention: Sequence[RetentionJob] = ()
    # Service-specific wiring of the app (middleware, state), given the loaded settings.
    configure: Callable[[FastAPI, Any], None] | None = None

    def settings(self) -> ServiceSettings:
        return load_settings(self.settings_class, self.name)

    def migrate(self, settings: ServiceSettings | None = None) -> None:
        settings = settings or self.settings()
        migrate(settings.database_url, settings.db_schema or self.name, self.migrations)

    async def erase_expired(
        self, settings: ServiceSettings | None = None, now: datetime | None = None
    ) -> dict[str, int]:
        """Run the retention jobs once; how many records each erased."""
        runtime = Runtime(self.name, settings or self.settings(), handlers={})
        try:
            return await run_retention(runtime, self.retention, now or datetime.now(UTC))
        finally:
            await runtime.database.dispose()

    def create_app(self, settings: ServiceSettings | None = None) -> FastAPI:
        settings = settings or self.settings()
        configure_tracing(self.name, settings.otel_exporter_otlp_endpoint)
        background = [
            *self.background,
            *([retention_task(*self.retention)] if self.retention else []),
        ]
        runtime = Runtime(self.name, settings, self.handlers, background)

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            await runtime.start()
            try:
                yield
            finally:
                try:
                    # What `configure` opened (clients, connections): with a lifespan of its
                    # own, Starlette runs no on_shutdown handler by itself.
                    for close in app.router.on_shutdown:
                        if inspect.isawaitable(closed := close()):
                            await closed
                finally:
                    await runtime.stop()

        app = FastAPI(
            title=f"Kulturbro {self.name}",
            description=self.description,
            lifespan=lifespan,
            docs_url=None,
            redoc_url=None,
            # Our middleware makes each request's span (UNTRACED aside); FastAPI's own would
            # make a second, and one for every scrape and probe.
            telemetry={"tracing": False},
        )
        install_docs(app)
        app.state.runtime = runtime
        install_error_handlers(app)
        app.add_middleware(Observed, service=self.name)
        app.add_middleware(RefuseNulCharacters)
        app.include_router(_health_router(self.name))
        for router in self.routers:
            app.include_router(router)
        if self.configure is not None:
            self.configure(app, settings)
        return app

    def run(self) -> None:
        """The production entry point: `kulturbro service NAME`."""
        import uvicorn

        settings = self.settings()
        configure_logging(self.name, settings.log_level)
        uvicorn.run(
            self.create_app(settings),
            host=settings.http_host,
            port=settings.http_port,
            log_config=None,
            access_log=False,
            # libuv's event loop and the C HTTP parser: every request crosses two or three
            # services, and the pure-Python parser and asyncio's loop cost each a good share.
            loop="uvloop",
            http="httptools",
            # Longer than the idle timeouts of the load balancers in front, so a connection is
            # never closed by us just as a client sends on it.
            timeout_keep_alive=75,
        )


# Asked every few seconds by Prometheus and the orchestrator: their spans would bury the requests.
UNTRACED = {"/metrics", "/healthz", "/readyz"}


class Observed:
    """Each request's correlation id (from the caller, else new) for its logs and events, told
    back in X-Correlation-ID; its span (UNTRACED aside) and its latency in the metrics. Plain
    ASGI: Starlette's BaseHTTPMiddleware runs every request in a task group of its own, a cost
    on every hop."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            correlation = uuid.UUID(headers.get("X-Correlation-ID", ""))
        except ValueError:
            correlation = uuid.uuid4()
        method = scope["method"]
        status = 500  # unless the app answers
        started_answer = False

        async def answer(message: Message) -> None:
            nonlocal status, started_answer
            if message["type"] == "http.response.start":
                status, started_answer = message["status"], True
                MutableHeaders(scope=message)["X-Correlation-ID"] = str(correlation)
            await send(message)

        traced = (
            tracer().start_as_current_span(
                method,
                context=extract_context(headers),
                kind=SpanKind.SERVER,
                attributes={"kulturbro.service": self.service, "http.request.method": method},
            )
            if scope["path"] not in UNTRACED
            else nullcontext(INVALID_SPAN)
        )
        token = context.correlation_id.set(correlation)
        started = time.perf_counter()
        with traced as span:
            try:
                await self.app(scope, receive, answer)
            except Exception as error:
                if started_answer:
                    raise
                # Answered here rather than by the outermost handler, so it counts as a 500 in
                # the request metrics (and the error rate) like any other.
                response = await answer_unexpected(Request(scope, receive), error)
                await response(scope, receive, answer)
            finally:
                context.correlation_id.reset(token)
            route = getattr(scope.get("route"), "path", "unmatched")
            span.update_name(f"{method} {route}")
            span.set_attribute("http.route", route)
            span.set_attribute("http.response.status_code", status)
        metrics.http_request_seconds.labels(self.service, method, route, str(status)).observe(
            time.perf_counter() - started
        )


async def _runtime(request: Request) -> Runtime:
    # async, as every dependency on the hot path: a plain def costs a hop to a worker thread
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(_runtime)]


def _health_router(service: str) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", **public())
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @router.get("/readyz", **public())
    async def readyz(runtime: RuntimeDep) -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "service": service, "checks": checks},
            status_code=200 if ready else 503,
        )

    @router.get("/metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
