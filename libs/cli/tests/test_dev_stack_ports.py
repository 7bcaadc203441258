"""`kulturbro dev` names what holds a port it needs, so the user knows what to stop."""

import subprocess
import sys
import time

from kulturbro_cli.dev_stack import port_is_free, taken_ports_message
from kulturbro_devstack.ports import free_port


def test_a_taken_port_is_named_with_the_pid_and_command_line_holding_it() -> None:
    port = free_port()
    holder = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while port_is_free(port) and time.monotonic() < deadline:
            time.sleep(0.05)

        message = taken_ports_message([port])
    finally:
        holder.kill()
        holder.wait()

    assert f"  {port}: pid {holder.pid} (" in message
    assert f"-m http.server --bind 127.0.0.1 {port})" in message
    assert f"Stop what holds them (kill {holder.pid}), or choose other ports" in message
