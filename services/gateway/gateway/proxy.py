"""Routes `/api/{service}/...` to the service, with the caller's signed identity attached."""

from datetime import UTC, datetime
from urllib.parse import quote
from uuid import UUID

import httpx
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from gateway.db import AuditEntry
from gateway.identity import OptionalCallerDep
from gateway.protection import client_key, seconds_over_limit, too_many
from kulturbro_runtime import Caller, RuntimeDep
from kulturbro_runtime.identity import IDENTITY_HEADER, sign_identity
from kulturbro_runtime.telemetry import inject_headers

router = APIRouter(tags=["services"])
FORWARDED_REQUEST_HEADERS = ("content-type", "accept", "accept-language", "idempotency-key")
FORWARDED_RESPONSE_HEADERS = ("content-type", "location", "x-correlation-id", "retry-after")
AUDITED_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The audit log keeps every forwarded path whole, so no longer path is forwarded.
LONGEST_PATH: int = AuditEntry.__table__.c.path.type.length  # type: ignore[attr-defined]


@router.api_route(
    "/api/{service}/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
async def forward(
    service: str, path: str, request: Request, found: OptionalCallerDep, runtime: RuntimeDep
) -> Response:
    routes = request.app.state.settings.gateway_routes
    if service not in routes:
        raise HTTPException(404, f"no service {service!r}; see /docs for what there is")
    if len(forwarded := f"/api/{service}/{path}") > LONGEST_PATH:
        raise HTTPException(
            414, f"the address is longer than {LONGEST_PATH} characters; shorten it"
        )
    who = str(found[0]) if found else f"ip:{client_key(request)}"
    wait = await seconds_over_limit(request.app.state.redis, f"requests:{who}", _limit(request))
    if wait:
        raise too_many("too many requests", wait)
    headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED_REQUEST_HEADERS}
    headers["X-Correlation-ID"] = request.headers.get("X-Correlation-ID", "")
    headers |= inject_headers()  # the service's spans join the gateway's trace
    if found is not None:
        headers[IDENTITY_HEADER] = sign_identity(found[1], runtime.secret)
    # The path arrives decoded; send it on encoded, whatever characters a client put in it.
    url = f"{str(routes[service]).rstrip('/')}/{quote(path, safe='/')}"
    client: httpx.AsyncClient = request.app.state.upstream
    try:
        upstream = await send_upstream(client, request, url, headers)
    except httpx.TimeoutException as error:
        raise HTTPException(
            504, f"the {service} service did not answer in time; try again"
        ) from error
    except httpx.TransportError as error:
        raise HTTPException(
            503, f"the {service} service is not reachable; try again shortly"
        ) from error
    if request.method in AUDITED_METHODS and found is not None:
        await _audit(runtime, found, request.method, forwarded, upstream.status_code)
    return Response(
        upstream.content,
        status_code=upstream.status_code,
        headers={
            k: v for k, v in upstream.headers.items() if k.lower() in FORWARDED_RESPONSE_HEADERS
        },
    )


def _limit(request: Request) -> int:
    limit: int = request.app.state.settings.rate_limit_per_minute
    return limit


async def _audit(
    runtime: RuntimeDep, found: tuple[UUID, Caller], method: str, path: str, status: int
) -> None:
    account_id, caller = found
    async with runtime.unit_of_work() as uow:
        uow.session.add(
            AuditEntry(
                at=datetime.now(UTC), account_id=account_id, role=caller.role.value,
                municipality_id=caller.municipality_id, method=method, path=path, status=status,
            )
        )  # fmt: skip


async def send_upstream(
    client: httpx.AsyncClient, request: Request, url: str, headers: dict[str, str]
) -> httpx.Response:
    body = await request.body()
    try:
        return await client.request(
            request.method, url, params=request.query_params, headers=headers, content=body
        )
    except (httpx.RemoteProtocolError, httpx.ReadError):
        # A kept-alive connection the service closed just as it was reused: a reading request
        # is sent again, once, on a fresh one; a write may have been done, so it is not.
        if request.method not in ("GET", "HEAD"):
            raise
        return await client.request(
            request.method, url, params=request.query_params, headers=headers, content=body
        )
