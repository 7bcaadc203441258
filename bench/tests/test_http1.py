"""The load client's bare HTTP/1.1: answers whole however they arrive, one connection kept for
many requests, a new one after the server closes it, and a refused connection is a failure."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from bench import http1
from kulturbro_devstack.ports import free_port

Reply = Callable[[bytes], list[bytes]]  # the request's head and body -> the pieces sent back


@asynccontextmanager
async def a_server(reply: Reply) -> AsyncIterator[tuple[str, list[int]]]:
    """Answers each request with `reply`'s pieces, a moment apart; yields its URL and how many
    requests each connection carried."""
    carried: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        carried.append(0)
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = [
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ]
                body = await reader.readexactly(length[0]) if length else b""
                carried[-1] += 1
                for piece in reply(head + body):
                    writer.write(piece)
                    await writer.drain()
                    await asyncio.sleep(0.01)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    port = free_port()
    server = await asyncio.start_server(serve, "127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}", carried
    finally:
        server.close()


def echoed(request: bytes) -> list[bytes]:
    """The request's first line and body, as JSON, in a Content-Length answer split in three."""
    line, _, rest = request.partition(b"\r\n")
    body = json.dumps({"line": line.decode(), "body": rest.split(b"\r\n\r\n", 1)[1].decode()})
    whole = f"HTTP/1.1 201 Created\r\nContent-Length: {len(body)}\r\n\r\n{body}".encode()
    return [whole[:10], whole[10:40], whole[40:]]


async def test_answers_come_whole_and_one_connection_carries_them_all() -> None:
    async with a_server(echoed) as (url, carried):
        http = http1.Connection(url, timeout=5)
        first = await http.request("GET", "/page", {"Authorization": "Bearer x"})
        second = await http.request("POST", "/bookings", {}, {"pupils": 24})
        http.close()
    assert first.status == 201 and not first.is_error
    assert first.json() == {"line": "GET /page HTTP/1.1", "body": ""}
    assert second.json() == {"line": "POST /bookings HTTP/1.1", "body": '{"pupils": 24}'}
    assert carried == [2]


async def test_a_chunked_answer_and_an_error_status() -> None:
    def chunked(_: bytes) -> list[bytes]:
        return [
            b"HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nalrea",
            b"\r\n6\r\ndy one\r\n0\r\n\r\n",
        ]

    async with a_server(chunked) as (url, _):
        http = http1.Connection(url, timeout=5)
        answer = await http.request("GET", "/", {})
        http.close()
    assert (answer.status, answer.text, answer.is_error) == (409, "already one", True)


async def test_a_connection_the_server_closed_is_made_again() -> None:
    def closing(_: bytes) -> list[bytes]:
        return [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"]

    async with a_server(closing) as (url, carried):
        http = http1.Connection(url, timeout=5)
        answers = [await http.request("GET", "/", {}) for _ in range(3)]
        http.close()
    assert [a.text for a in answers] == ["ok"] * 3
    assert carried == [1, 1, 1]


async def test_a_refused_or_silent_server_is_a_failure_not_a_hang() -> None:
    with pytest.raises(http1.ConnectionFailed):
        await http1.Connection(f"http://127.0.0.1:{free_port()}", timeout=5).request("GET", "/", {})
    async with a_server(lambda _: []) as (url, _):
        with pytest.raises(TimeoutError):
            await http1.Connection(url, timeout=0.2).request("GET", "/", {})
