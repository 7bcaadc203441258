"""The gateway's client to the services and pages keeps no browser's cookie for the next, and
sends a read again when a kept-alive connection was closed under it."""

import httpx
import pytest
from starlette.requests import Request

from gateway.edge import upstream_client
from gateway.proxy import send_upstream


@pytest.mark.asyncio
async def test_a_cookie_given_to_one_browser_is_never_sent_for_another() -> None:
    sent: list[str | None] = []

    def pages(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("cookie"))
        return httpx.Response(200, headers={"set-cookie": "kulturbro_session=hers; Path=/"})

    async with upstream_client(5, httpx.MockTransport(pages)) as client:
        await client.get("http://web.internal/sign-in/redeem")
        await client.get("http://web.internal/teacher/groups")
        await client.get("http://web.internal/teacher", headers={"cookie": "kulturbro_session=his"})
        assert not client.cookies
    assert sent == [None, None, "kulturbro_session=his"]


def _request(method: str) -> Request:
    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    scope = {"type": "http", "method": method, "query_string": b"", "headers": [], "path": "/"}
    return Request(scope, receive)


@pytest.mark.asyncio
@pytest.mark.parametrize(("method", "retried"), [("GET", True), ("POST", False)])
async def test_a_connection_closed_as_it_is_reused_is_tried_again_only_for_a_read(
    method: str, retried: bool
) -> None:
    calls: list[str] = []

    def service(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        return httpx.Response(200, json={"ok": True})

    async with upstream_client(5, httpx.MockTransport(service)) as client:
        if retried:
            answer = await send_upstream(client, _request(method), "http://booking/offers/mine", {})
            assert answer.status_code == 200
        else:
            with pytest.raises(httpx.RemoteProtocolError):
                await send_upstream(client, _request(method), "http://booking/bookings", {})
    assert calls == [method] * (2 if retried else 1)
