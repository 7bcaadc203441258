"""Server binaries run as supervised subprocesses that never outlive whoever started them."""

import atexit
import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import NoReturn, Self

_POLL_SECONDS = 0.05
_LOG_TAIL_LINES = 30


class ServerProcess:
    """One server binary: started in its own process group, logging to a file, restartable."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        ready: Callable[[], bool],
        ready_timeout: float,
        stop_signal: signal.Signals = signal.SIGTERM,
        user: int | None = None,
        group: int | None = None,
    ) -> None:
        self.name = name
        self.workdir = Path(tempfile.mkdtemp(prefix=f"kulturbro-{name}-"))
        self.log_path = self.workdir / f"{name}.log"
        self._argv = list(argv)
        self._ready = ready
        self._ready_timeout = ready_timeout
        self._stop_signal = stop_signal
        self._user = user
        self._group = group
        self._popen: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None

    @property
    def pid(self) -> int:
        """Pid of the most recently started process, kept after it stops so callers can check."""
        if self._pid is None:
            raise RuntimeError(f"{self.name} was never started")
        return self._pid

    def start(self) -> None:
        if self._popen is not None:
            raise RuntimeError(f"{self.name} is already running")
        with self.log_path.open("ab") as log:
            self._popen = subprocess.Popen(
                self._argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                # Output goes to a log file and into error messages, never to a terminal.
                env={**os.environ, "NO_COLOR": "1"},
                start_new_session=True,
                user=self._user,
                group=self._group,
                extra_groups=[] if self._user is not None else None,
            )
        self._pid = self._popen.pid
        atexit.register(self.stop)
        self._wait_until_ready(self._popen)

    def stop(self, timeout: float = 10.0) -> None:
        popen, self._popen = self._popen, None
        if popen is None:
            return
        atexit.unregister(self.stop)
        if popen.poll() is None:
            popen.send_signal(self._stop_signal)
            with contextlib.suppress(subprocess.TimeoutExpired):
                popen.wait(timeout)
        # Also whatever the server forked (postgres backends, helpers), and the server itself
        # if it ignored the stop signal.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, signal.SIGKILL)
        popen.wait()

    def _wait_until_ready(self, popen: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self._ready_timeout
        while True:
            if popen.poll() is not None:
                self._fail(f"exited with code {popen.returncode}")
            if self._ready():
                return
            if time.monotonic() > deadline:
                self._fail(f"not ready after {self._ready_timeout:g}s")
            time.sleep(_POLL_SECONDS)

    def _fail(self, reason: str) -> NoReturn:
        self.stop()
        tail = "\n".join(self.log_path.read_text(errors="replace").splitlines()[-_LOG_TAIL_LINES:])
        raise RuntimeError(f"{self.name} failed to start: {reason}. Log {self.log_path}:\n{tail}")


class StoppedOnExit:
    """A server handle that stops its server when a `with` block around it ends."""

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class SubprocessServer(StoppedOnExit):
    """What every subprocess-backed server handle offers: its pid, its log, and stopping it."""

    def __init__(self, process: ServerProcess) -> None:
        self._process = process

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def log_path(self) -> Path:
        return self._process.log_path

    def stop(self) -> None:
        self._process.stop()

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stop, stay down `down_seconds`, and start again with the same arguments: the same
        port and data directory."""
        self._process.stop()
        time.sleep(down_seconds)
        self._process.start()


def shipped_file(package: str, *parts: str) -> Path:
    """A file inside an installed package, located without importing the package."""
    # Importing pgserver has side effects (runtime-dir lookups that warn as root).
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {package!r} is not installed")
    return Path(spec.submodule_search_locations[0], *parts)


def accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
