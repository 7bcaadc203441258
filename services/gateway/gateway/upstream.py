"""Kept-alive HTTP/1.1 connections from the gateway to the services it forwards to.

Every API request crosses the gateway, so forwarding must cost little: httpx spent about a
third of the gateway's CPU building, sending and reading each request. The bodies here are
bounded (the gateway's body limit, the services' answers), so no streaming is needed: a request
is written in one piece and its answer parsed by httptools (C) as it arrives.
"""

import asyncio
import ssl
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import httptools

# As httpx allowed by default: a flood of requests waits for a connection instead of opening
# thousands to one service.
MOST_CONNECTIONS = 100


class Unreachable(Exception):
    """The service refused or dropped the connection before it answered."""


class ClosedUnderUs(Unreachable):
    """A kept-alive connection closed before any of the answer came."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class _Connection(asyncio.Protocol):
    """One connection; it carries one request at a time and reads its answer with httptools."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.answered: asyncio.Future[Answer] | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.started = False  # any byte of the current answer has come
        self.headed = False  # all of its headers have

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def send(self, request: bytes) -> asyncio.Future[Answer]:
        assert self.transport is not None
        self.answered = asyncio.get_running_loop().create_future()
        self.headers, self.body, self.started, self.headed = [], [], False, False
        self.transport.write(request)
        return self.answered

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        self.started = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(Unreachable(f"the service's answer is not HTTP: {error}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.started:
            self._fail(ClosedUnderUs("the service closed the connection"))
        elif self._until_closed():
            self.on_message_complete()  # an answer whose end is the end of the connection
        else:
            self._fail(Unreachable("the service closed the connection while answering"))

    def _until_closed(self) -> bool:
        framing = {b"content-length", b"transfer-encoding"}
        return self.headed and not any(name.lower() in framing for name, _ in self.headers)

    def _fail(self, error: Exception) -> None:
        if self.answered is not None and not self.answered.done():
            self.answered.set_exception(error)

    # httptools' callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.headed = True

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        if self.answered is None or self.answered.done():
            return
        if not self.parser.should_keep_alive():
            self.close()
        self.answered.set_result(
            Answer(self.parser.get_status_code(), self.headers, b"".join(self.body))
        )


class ConnectionPool:
    """The kept-alive connections to one service's base URL."""

    def __init__(self, base_url: str, timeout: float) -> None:
        url = urlsplit(base_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"not a service address: {base_url!r}")
        self.host = url.hostname
        self.port = url.port or (443 if url.scheme == "https" else 80)
        self.tls = ssl.create_default_context() if url.scheme == "https" else None
        self.base_path = url.path.rstrip("/")
        self.host_header = url.netloc.encode()
        self.timeout = timeout
        self.idle: list[_Connection] = []
        self.slots = asyncio.Semaphore(MOST_CONNECTIONS)

    async def request(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes = b""
    ) -> Answer:
        """The service's answer to METHOD base_path+TARGET. TimeoutError when it took longer
        than the timeout; Unreachable when it refused or dropped the connection."""
        head = [
            f"{method} {self.base_path}{target} HTTP/1.1".encode(),
            b"Host: " + self.host_header,
        ]
        head += [f"{name}: {value}".encode("latin-1") for name, value in headers]
        if body or method not in ("GET", "HEAD", "DELETE"):
            head.append(b"Content-Length: %d" % len(body))
        request = b"\r\n".join(head) + b"\r\n\r\n" + body
        async with asyncio.timeout(self.timeout), self.slots:
            connection, reused = await self._connection()
            try:
                answer = await self._exchange(connection, request)
            except ClosedUnderUs:
                # A kept-alive connection the service closed just as it was reused: a read is
                # sent again, once, on a fresh one; a write may have been done, so it is not.
                if not reused or method not in ("GET", "HEAD"):
                    raise
                connection = await self._connect()
                answer = await self._exchange(connection, request)
        return answer

    async def _exchange(self, connection: _Connection, request: bytes) -> Answer:
        try:
            answer = await connection.send(request)
        except BaseException:
            connection.close()  # what it carries next would be read as this request's answer
            raise
        if not connection.closed:
            self.idle.append(connection)
        return answer

    async def _connection(self) -> tuple[_Connection, bool]:
        while self.idle:
            connection = self.idle.pop()
            if not connection.closed:
                return connection, True
        return await self._connect(), False

    async def _connect(self) -> _Connection:
        try:
            _, connection = await asyncio.get_running_loop().create_connection(
                _Connection, self.host, self.port, ssl=self.tls
            )
        except OSError as error:
            raise Unreachable(f"cannot connect: {error}") from error
        return connection

    def close(self) -> None:
        for connection in self.idle:
            connection.close()
        self.idle.clear()


class ConnectionPools:
    """A pool of connections per service, made when first used."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.pools: dict[str, ConnectionPool] = {}

    def __getitem__(self, base_url: str) -> ConnectionPool:
        pool = self.pools.get(base_url)
        if pool is None:
            pool = self.pools[base_url] = ConnectionPool(base_url, self.timeout)
        return pool

    async def aclose(self) -> None:
        for pool in self.pools.values():
            pool.close()
