"""A TCP relay in front of the broker that can be cut: every connection closed and new ones
refused, as clients see a broker that stopped, while the broker behind it keeps its messages
(the embedded broker stores in memory, so stopping it for real would lose every topic).

`python -m kulturbro_cli.faults.relay --port P --to HOST:PORT`; SIGUSR1 cuts, SIGUSR2 restores.
"""

import argparse
import asyncio
import contextlib
import signal

_HOST = "127.0.0.1"
_CHUNK = 65536


class Relay:
    def __init__(self, port: int, upstream_host: str, upstream_port: int) -> None:
        self.port = port
        self.upstream = (upstream_host, upstream_port)
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._serve, _HOST, self.port, reuse_address=True
            )

    async def cut(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self._open |= {writer, up_writer}
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            for end in (writer, up_writer):
                self._open.discard(end)
                end.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while chunk := await reader.read(_CHUNK):
            writer.write(chunk)
            await writer.drain()
    writer.transport.abort()


async def serve(port: int, upstream: str) -> None:
    host, _, upstream_port = upstream.rpartition(":")
    relay = Relay(port, host, int(upstream_port))
    await relay.listen()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, lambda: loop.create_task(relay.cut()))
    loop.add_signal_handler(signal.SIGUSR2, lambda: loop.create_task(relay.listen()))
    print(f"relaying {_HOST}:{port} to {upstream}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="Relay TCP to the broker; SIGUSR1 cuts.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--to", required=True, help="HOST:PORT")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.to))


if __name__ == "__main__":
    main()
