"""The gateway's body limit holds for bodies sent in chunks, without a declared length."""

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from kulturbro_cli.services import load_service
from kulturbro_devstack.testing import Servers, service_env, service_settings, serving

pytestmark = pytest.mark.integration
LIMIT = 1000


async def in_chunks(body: bytes, size: int = 300) -> AsyncIterator[bytes]:
    """The body as a streaming client sends it: chunked, no Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_a_body_over_the_limit_sent_in_chunks_is_refused_with_413(
    servers: Servers, topic_prefix: str, new_schema
) -> None:
    gateway = load_service("gateway")
    env = service_env(
        servers, topic_prefix, new_schema("gateway"), MAX_BODY_BYTES=str(LIMIT),
        GATEWAY_ROUTES=json.dumps({"booking": "http://127.0.0.1:9"}),  # read before forwarding
    )  # fmt: skip
    sign_in = json.dumps({"email": "nobody@example.org", "password": "x" * 100}).encode()
    too_large = json.dumps({"email": "nobody@example.org", "password": "x" * 5000}).encode()
    headers = {"Content-Type": "application/json"}
    async with (
        serving(gateway, service_settings(gateway, env)) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        own_route = await client.post(
            "/auth/password", content=in_chunks(too_large), headers=headers
        )
        forwarded = await client.post(
            "/api/booking/bookings", content=in_chunks(too_large), headers=headers
        )
        within = await client.post("/auth/password", content=in_chunks(sign_in), headers=headers)
        health = await client.get("/healthz")
    assert "content-length" not in own_route.request.headers
    for refused in (own_route, forwarded):
        assert refused.status_code == 413, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["detail"] == (
            f"the request body is larger than {LIMIT} bytes; send less"
        )
    assert within.status_code == 401, "a chunked body within the limit is read as any other"
    assert health.status_code == 200
