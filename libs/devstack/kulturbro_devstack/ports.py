"""Free TCP ports on the loopback interface for embedded servers to listen on, and who holds
a port that is not free."""

import shlex
import socket
from dataclasses import dataclass

import psutil

_COMMAND_LINE_CHARACTERS = 160


@dataclass(frozen=True)
class PortHolder:
    pid: int
    command_line: str

    def __str__(self) -> str:
        return f"pid {self.pid} ({self.command_line})"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_holders(port: int) -> list[PortHolder]:
    """The processes listening on TCP port, as far as this user may see them."""
    try:
        connections = psutil.net_connections(kind="tcp")
    except psutil.AccessDenied:  # macOS shows other processes' sockets only to root
        return []
    pids = {
        c.pid
        for c in connections
        if c.pid is not None and c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN
    }
    holders = []
    for pid in sorted(pids):
        try:
            command_line = shlex.join(psutil.Process(pid).cmdline())
        except psutil.Error:  # gone meanwhile, or not ours to read
            command_line = "command line not readable"
        holders.append(PortHolder(pid, _shortened(command_line)))
    return holders


def _shortened(text: str) -> str:
    if len(text) <= _COMMAND_LINE_CHARACTERS:
        return text
    return text[: _COMMAND_LINE_CHARACTERS - 1] + "…"
