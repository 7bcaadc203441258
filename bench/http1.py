"""A bare keep-alive HTTP/1.1 client on an asyncio protocol, for a load client that stands in for
browsers on other machines and so should cost as little as possible on this one: one request
at a time on a connection, the request's bytes written at once, an answer with a
Content-Length or chunked. httpx spent 6.6 ms a booking of the client's CPU where this spends a
fraction of it."""

import asyncio
import json
from dataclasses import dataclass
from urllib.parse import urlsplit


class ConnectionFailed(Exception):
    """The connection could not be made, or closed before the whole answer came."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    @property
    def is_error(self) -> bool:
        return self.status >= 400

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    def json(self) -> object:
        return json.loads(self.body)


class _Reader(asyncio.Protocol):
    """Collects bytes until they make one whole answer, then hands it to the waiting request."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiting: asyncio.Future[Answer] | None = None
        self.open = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiting is not None and not self.waiting.done():
            answer = self._whole_answer()
            if answer is not None:
                self.waiting.set_result(answer)

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_exception(ConnectionFailed("closed before the whole answer came"))

    def _whole_answer(self) -> Answer | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        fields = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        start = end + 4
        if fields.get("transfer-encoding", "").lower() == "chunked":
            body, used = _dechunked(self.buffer, start)
            if body is None:
                return None
        else:
            used = start + int(fields.get("content-length", "0"))
            if len(self.buffer) < used:
                return None
            body = bytes(self.buffer[start:used])
        del self.buffer[:used]
        if fields.get("connection", "").lower() == "close" and self.transport is not None:
            self.open = False  # now: the next request must not go out on this one
            self.transport.close()
        return Answer(status, body)


def _dechunked(buffer: bytearray, at: int) -> tuple[bytes | None, int]:
    """The chunked body from `at`, and where it ends; (None, 0) until all of it has come."""
    parts: list[bytes] = []
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None, 0
        size = int(bytes(buffer[at:line_end]).split(b";")[0], 16)
        at = line_end + 2
        if size == 0:
            trailer_end = buffer.find(b"\r\n", at)  # no trailers are expected: an empty line
            return (b"".join(parts), trailer_end + 2) if trailer_end >= 0 else (None, 0)
        if len(buffer) < at + size + 2:
            return None, 0
        parts.append(bytes(buffer[at : at + size]))
        at += size + 2


class Connection:
    """One keep-alive connection to `base` (http://host:port), opened on first use and again
    after the server closed it; one request at a time."""

    def __init__(self, base: str, timeout: float) -> None:
        split = urlsplit(base)
        self.host, self.port = split.hostname or "127.0.0.1", split.port or 80
        self.authority = f"{self.host}:{self.port}".encode()
        self.timeout = timeout
        self._reader: _Reader | None = None

    async def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        json_body: object | None = None,
    ) -> Answer:
        body = json.dumps(json_body).encode() if json_body is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.authority.decode()}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if json_body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        reader = await self._connected()
        assert reader.transport is not None
        reader.waiting = asyncio.get_running_loop().create_future()
        reader.transport.write(raw)
        try:
            return await asyncio.wait_for(reader.waiting, self.timeout)
        except BaseException:
            self.close()  # whatever came half-way must not be read as the next answer
            raise

    async def _connected(self) -> _Reader:
        if self._reader is None or not self._reader.open:
            try:
                _, self._reader = await asyncio.get_running_loop().create_connection(
                    _Reader, self.host, self.port
                )
            except OSError as error:
                raise ConnectionFailed(str(error)) from error
        return self._reader

    def close(self) -> None:
        if self._reader is not None and self._reader.transport is not None:
            self._reader.transport.close()
        self._reader = None
