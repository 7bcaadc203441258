"""A kept-alive connection the gateway closes just as the web reuses it must not show a reader
the 'service down' page: a reading call is asked again once; a write never is."""

import httpx
import pytest

from web.platform import Platform, ServiceDown


def flaky(failures: int, error: type[httpx.TransportError]) -> tuple[Platform, list[str]]:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) <= failures:
            raise error("connection closed by the peer", request=request)
        return httpx.Response(200, json=[{"id": "x"}])

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://gateway")
    return Platform(client), calls


@pytest.mark.parametrize("error", [httpx.ReadError, httpx.RemoteProtocolError])
async def test_a_read_on_a_connection_closed_under_it_is_asked_again_once(
    error: type[httpx.TransportError],
) -> None:
    platform, calls = flaky(1, error)
    assert await platform._call("GET", "/audit", token="t") == [{"id": "x"}]
    assert calls == ["GET", "GET"]


async def test_a_read_failing_twice_is_a_service_down() -> None:
    platform, calls = flaky(2, httpx.ReadError)
    with pytest.raises(ServiceDown):
        await platform._call("GET", "/audit", token="t")
    assert calls == ["GET", "GET"]


async def test_a_write_is_never_sent_twice() -> None:
    platform, calls = flaky(1, httpx.ReadError)
    with pytest.raises(ServiceDown):
        await platform._call("POST", "/api/directory/imports/csv", token="t", json={})
    assert calls == ["POST"]
