"""The relay in front of the broker: cut, it closes every connection and refuses new ones, as a
stopped broker does; restored, it passes bytes both ways again."""

import asyncio

import pytest

from kulturbro_cli.faults.relay import Relay
from kulturbro_devstack.ports import free_port


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(100):
        writer.write(data)
        await writer.drain()
    writer.close()


async def round_trip(port: int, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(100), 5)
    writer.close()
    return answer


async def test_a_cut_relay_drops_its_connections_and_refuses_until_restored() -> None:
    upstream = await asyncio.start_server(echo, "127.0.0.1", 0)
    upstream_port = upstream.sockets[0].getsockname()[1]
    relay = Relay(free_port(), "127.0.0.1", upstream_port)
    await relay.listen()
    async with upstream:
        assert await round_trip(relay.port, b"hej") == b"hej"
        reader, writer = await asyncio.open_connection("127.0.0.1", relay.port)
        writer.write(b"open")
        assert await asyncio.wait_for(reader.read(100), 5) == b"open"

        await relay.cut()
        assert await asyncio.wait_for(reader.read(100), 5) == b"", "the open one is closed"
        writer.close()
        with pytest.raises(OSError):
            await round_trip(relay.port, b"refused")

        await relay.listen()
        assert await round_trip(relay.port, b"again") == b"again"
        await relay.cut()
