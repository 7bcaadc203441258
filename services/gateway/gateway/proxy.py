"""Routes `/api/{service}/...` to the service, with the caller's signed identity attached."""

from datetime import UTC, datetime
from urllib.parse import quote, quote_from_bytes

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from gateway.audit import AuditLog
from gateway.db import AuditEntry
from gateway.identity import bearer_caller
from gateway.protection import client_key, seconds_over_limit, too_many
from gateway.upstream import ConnectionPools, Unreachable
from kulturbro_runtime.identity import IDENTITY_HEADER, sign_identity
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.telemetry import inject_headers

router = APIRouter(tags=["services"])
# A service's ETag and Cache-Control (the catalog's public event page) let a browser keep what
# it was given and ask again with If-None-Match, answered with a 304 and no body.
FORWARDED_REQUEST_HEADERS = {
    "content-type",
    "accept",
    "accept-language",
    "idempotency-key",
    "if-none-match",
}
FORWARDED_RESPONSE_HEADERS = {
    "content-type",
    "location",
    "x-correlation-id",
    "retry-after",
    "etag",
    "cache-control",
}
AUDITED_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The audit log keeps every forwarded path whole, so no longer path is forwarded.
LONGEST_PATH: int = AuditEntry.__table__.c.path.type.length  # type: ignore[attr-defined]
# What may stand unescaped in a query string: anything else a client sent is percent-encoded.
QUERY_SAFE = b"!$&'()*+,/:;=?@[]~%"


async def forward(request: Request) -> Response:
    # A plain Starlette endpoint: FastAPI's solving of parameters and dependencies was a tenth
    # of the gateway's CPU on this path, which takes nothing it would validate.
    service, path = request.path_params["service"], request.path_params["path"]
    found = await bearer_caller(request)
    state = request.app.state
    runtime: Runtime = state.runtime
    routes = state.settings.gateway_routes
    if service not in routes:
        raise HTTPException(404, f"no service {service!r}; see /docs for what there is")
    if len(forwarded := f"/api/{service}/{path}") > LONGEST_PATH:
        raise HTTPException(
            414, f"the address is longer than {LONGEST_PATH} characters; shorten it"
        )
    who = str(found[0]) if found else f"ip:{client_key(request)}"
    wait = await seconds_over_limit(
        state.redis, f"requests:{who}", state.settings.rate_limit_per_minute
    )
    if wait:
        raise too_many("too many requests", wait)
    headers = [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, value in request.scope["headers"]
        if name.decode("latin-1").lower() in FORWARDED_REQUEST_HEADERS
    ]
    headers.append(("X-Correlation-ID", request.headers.get("X-Correlation-ID", "")))
    headers += inject_headers().items()  # the service's spans join the gateway's trace
    if found is not None:
        headers.append((IDENTITY_HEADER, sign_identity(found[1], runtime.secret)))
    target = upstream_target(path, request.scope["query_string"])
    services: ConnectionPools = state.services
    try:
        answer = await services[str(routes[service])].request(
            request.method, target, headers, await request.body()
        )
    except TimeoutError as error:
        raise HTTPException(
            504, f"the {service} service did not answer in time; try again"
        ) from error
    except Unreachable as error:
        raise HTTPException(
            503, f"the {service} service is not reachable; try again shortly"
        ) from error
    if request.method in AUDITED_METHODS and found is not None:
        account_id, caller = found
        audit: AuditLog = state.audit
        entry = (datetime.now(UTC), account_id, caller.role.value, caller.municipality_id)
        await audit.record((*entry, request.method, forwarded, answer.status))
    return Response(
        answer.body,
        status_code=answer.status,
        headers={
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in answer.headers
            if name.decode("latin-1").lower() in FORWARDED_RESPONSE_HEADERS
        },
    )


def upstream_target(path: str, query: bytes) -> str:
    """The request target for the service. The path arrives decoded: it is sent on encoded,
    whatever characters a client put in it; the query string as the client sent it, with what
    may not stand in a request line percent-encoded."""
    target = "/" + quote(path, safe="/")
    return f"{target}?{quote_from_bytes(query, safe=QUERY_SAFE)}" if query else target


router.add_route(
    "/api/{service}/{path:path}",
    forward,
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
