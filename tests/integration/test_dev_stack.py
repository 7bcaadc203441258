"""`kulturbro dev` starts everything from nothing, every service is ready, and Ctrl-C or closing
its terminal leaves nothing."""

import contextlib
import fcntl
import os
import pty
import random
import re
import select
import signal
import subprocess
import sys
import termios
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psutil
import psycopg
import pytest

from kulturbro_cli.dev_stack import port_is_free, service_ports
from kulturbro_cli.services import SERVICE_NAMES
from kulturbro_devstack.testing import Servers

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def free_port_block(size: int) -> int:
    # Below the kernel's ephemeral range, where the embedded servers' own ports come from.
    for _ in range(50):
        base = random.randrange(20_000, 30_000)
        if all(port_is_free(base + offset) for offset in range(size)):
            return base
    raise RuntimeError("no block of free ports")


def dev_command(base: int, tmp_path: Path) -> list[str]:
    return [sys.executable, "-m", "kulturbro_cli", "dev", "--port-base", str(base),
            "--state-dir", str(tmp_path / "state")]  # fmt: skip


@pytest.fixture
def database_of_its_own(servers: Servers) -> Iterator[str]:
    """A database made for the test: `kulturbro dev` names its schemas after the services, so in
    a shared one they would meet schemas that other code (another checkout) migrated further."""
    name = f"dev_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(servers.database_url, autocommit=True) as owner:
        owner.execute(f'create database "{name}"')
    try:
        yield urlunsplit(urlsplit(servers.database_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(servers.database_url, autocommit=True) as owner:
            owner.execute(f'drop database if exists "{name}" with (force)')


def dev_environment(database_url: str) -> dict[str, str]:
    # The database is the test's own; the broker, Redis and SMTP server are embedded.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "KAFKA_BOOTSTRAP_SERVERS", "SMTP_URL")
    }
    env["DATABASE_URL"] = database_url
    return env


def kill_left_behind(dev: subprocess.Popen[str] | subprocess.Popen[bytes], children) -> None:
    if dev.poll() is None:
        dev.kill()
    for child in children:  # in sessions of their own: not killed with their parent
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


def test_kulturbro_dev_runs_everything_and_ctrl_c_leaves_no_process(
    database_of_its_own: str, tmp_path
) -> None:
    base = free_port_block(len(SERVICE_NAMES) + 1)  # the services and the mailbox
    dev = subprocess.Popen(
        dev_command(base, tmp_path),
        env=dev_environment(database_of_its_own),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 180
        assert dev.stdout is not None
        for line in dev.stdout:
            output.append(line)
            # The welcome ends with where the logs are.
            if "Service logs:" in line or time.monotonic() > deadline:
                break
        assert any("Kulturbro is running" in line for line in output), "".join(output)
        for name, port in service_ports(base).items():
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
            assert ready.status_code == 200, f"{name}: {ready.text}"
        mailbox = re.search(r"Mails sent by Kulturbro: (\S+)", "".join(output))
        assert mailbox, "".join(output)
        assert httpx.get(mailbox[1], timeout=5).status_code == 200
        children = psutil.Process(dev.pid).children(recursive=True)
        assert len(children) >= len(SERVICE_NAMES) + 3, "the services, mailbox, broker and Redis"
        dev.send_signal(signal.SIGINT)
        rest, _ = dev.communicate(timeout=60)
        output.append(rest)
    finally:
        if dev.poll() is None:
            kill_left_behind(dev, children)
    assert dev.returncode == 0, "".join(output)
    assert "no process left behind" in "".join(output)
    alive = [child for child in children if child.is_running() and child.status() != "zombie"]
    assert alive == [], f"left behind: {alive}"


def test_kulturbro_dev_closed_with_its_terminal_leaves_no_process(
    database_of_its_own: str, tmp_path
) -> None:
    base = free_port_block(len(SERVICE_NAMES) + 1)
    terminal, its_device = pty.openpty()

    def take_the_terminal() -> None:
        # Run after setsid: the pseudo-terminal becomes this session's controlling terminal,
        # so closing it hangs the session up (SIGHUP), as closing a terminal window does.
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    dev = subprocess.Popen(
        dev_command(base, tmp_path),
        env=dev_environment(database_of_its_own),
        stdin=its_device,
        stdout=its_device,
        stderr=its_device,
        start_new_session=True,
        preexec_fn=take_the_terminal,
    )
    os.close(its_device)
    shown = b""
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 180
        while b"Service logs:" not in shown and time.monotonic() < deadline:
            if select.select([terminal], [], [], 1)[0]:
                shown += os.read(terminal, 65536)
        assert b"Kulturbro is running" in shown, shown.decode(errors="replace")
        children = psutil.Process(dev.pid).children(recursive=True)
        assert len(children) >= len(SERVICE_NAMES) + 3, "the services, mailbox, broker and Redis"

        os.close(terminal)
        try:
            dev.wait(timeout=60)
        except subprocess.TimeoutExpired:
            # It has outlived its terminal under a loaded full run, never alone: say where it is.
            py_spy = Path(sys.executable).with_name("py-spy")
            subprocess.run([str(py_spy), "dump", "--pid", str(dev.pid)], check=False)
            raise
        alive = [c for c in children if c.is_running() and c.status() != "zombie"]
    finally:
        with contextlib.suppress(OSError):
            os.close(terminal)
        kill_left_behind(dev, children)
    assert alive == [], f"left behind: {alive}"
    assert dev.returncode == 0, "stopped by the hang-up instead of stopping everything first"
