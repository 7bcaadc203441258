"""The gateway's clients to the services and pages: the pages' keeps no browser's cookie for the
next; the API's keeps connections alive, sends a read again when a kept-alive connection was
closed under it (never a write), and tells a slow service from an unreachable one."""

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from gateway.edge import upstream_client
from gateway.proxy import upstream_target
from gateway.upstream import ClosedUnderUs, ConnectionPool, Unreachable


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


# What the fake service does with the n-th request on a connection (from 1): its answer, or
# None to close the connection without one.
Behaviour = Callable[[int, bytes], bytes | None]


def _answer(body: bytes = b'{"ok":true}', extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


@asynccontextmanager
async def _service(behaviour: Behaviour) -> AsyncIterator[tuple[str, list[bytes], list[int]]]:
    """A service on a free port; its base URL, the requests it got, and on which connection."""
    received: list[bytes] = []
    connections: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        number = len(set(connections)) + 1
        served = 0
        while head := await reader.readuntil(b"\r\n\r\n"):
            length = next(
                (int(line.split(b":")[1]) for line in head.split(b"\r\n")
                 if line.lower().startswith(b"content-length:")),
                0,
            )  # fmt: skip
            request = head + await reader.readexactly(length)
            received.append(request)
            connections.append(number)
            served += 1
            answer = behaviour(served, request)
            if answer is None:
                break
            writer.write(answer)
            await writer.drain()
            if b"connection: close" in answer.lower():
                break
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}/base", received, connections


@pytest.mark.asyncio
async def test_requests_go_out_whole_and_reuse_one_connection() -> None:
    async with _service(lambda _, __: _answer(extra=b"Location: /x\r\n")) as (url, got, on):
        pool = ConnectionPool(url, timeout=5)
        first = await pool.request("GET", "/offers?a=%C3%A5&b=1", [("Accept", "*/*")])
        second = await pool.request("POST", "/bookings", [], b'{"n": 1}')
        pool.close()
    assert (first.status, first.body) == (200, b'{"ok":true}')
    assert (b"Location", b"/x") in first.headers
    assert got[0].startswith(b"GET /base/offers?a=%C3%A5&b=1 HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"\r\nAccept: */*\r\n" in got[0]
    assert got[1].endswith(b'Content-Length: 8\r\n\r\n{"n": 1}')
    assert second.status == 200
    assert on == [1, 1], "the second request went on the first one's connection"


def _closes_the_second_request(served: int, _: bytes) -> bytes | None:
    return _answer() if served == 1 else None


@pytest.mark.asyncio
async def test_a_read_is_sent_again_once_when_a_kept_alive_connection_closes_under_it() -> None:
    async with _service(_closes_the_second_request) as (url, _, on):
        pool = ConnectionPool(url, timeout=5)
        await pool.request("GET", "/offers", [])
        again = await pool.request("GET", "/offers", [])
        pool.close()
    assert again.status == 200
    assert on == [1, 1, 2], "sent on the kept-alive connection, then again on a new one"


@pytest.mark.asyncio
async def test_a_write_is_never_sent_twice() -> None:
    async with _service(_closes_the_second_request) as (url, got, _):
        pool = ConnectionPool(url, timeout=5)
        await pool.request("GET", "/offers", [])
        with pytest.raises(ClosedUnderUs):
            await pool.request("POST", "/bookings", [], b"{}")
        pool.close()
    assert [request.split(b" ")[0] for request in got] == [b"GET", b"POST"]


@pytest.mark.asyncio
async def test_a_read_on_a_new_connection_is_not_sent_again() -> None:
    async with _service(lambda _, __: None) as (url, got, _):
        pool = ConnectionPool(url, timeout=5)
        with pytest.raises(Unreachable):
            await pool.request("GET", "/offers", [])
    assert len(got) == 1


@pytest.mark.asyncio
async def test_an_answer_ended_by_closing_or_chunked_is_read_whole() -> None:
    answers = {
        1: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        2: b"HTTP/1.1 201 Created\r\nConnection: close\r\n\r\nuntil the end",
    }
    async with _service(lambda served, _: answers[served]) as (url, _, __):
        pool = ConnectionPool(url, timeout=5)
        chunked = await pool.request("GET", "/a", [])
        closing = await pool.request("GET", "/b", [])
        assert not pool.idle, "a connection the service closes is not kept"
    assert chunked.body == b"abcde"
    assert (closing.status, closing.body) == (201, b"until the end")


@pytest.mark.asyncio
async def test_a_slow_service_times_out_and_its_connection_is_not_reused() -> None:
    async with _service(lambda _, __: b"HTTP/1.1 200 OK\r\n") as (url, _, __):
        pool = ConnectionPool(url, timeout=0.2)
        with pytest.raises(TimeoutError):
            await pool.request("GET", "/slow", [])
        assert not pool.idle


@pytest.mark.asyncio
async def test_a_service_that_is_not_there_is_unreachable() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(Unreachable):
        await ConnectionPool(f"http://127.0.0.1:{port}", timeout=5).request("GET", "/", [])


def test_the_target_keeps_the_query_as_sent_and_encodes_what_a_request_line_cannot_hold() -> None:
    assert upstream_target("offers/mine", b"") == "/offers/mine"
    assert upstream_target("schools/Sankt Görans/a?b", b"") == "/schools/Sankt%20G%C3%B6rans/a%3Fb"
    assert upstream_target("events", b"q=%C3%A5&tag=a+b&from=2026-12-07T09:00") == (
        "/events?q=%C3%A5&tag=a+b&from=2026-12-07T09:00"
    )
    assert upstream_target("events", "q=å b".encode()) == "/events?q=%C3%A5%20b"
