"""Embedded PostgreSQL on a loopback TCP port, run from the binaries in the pgserver wheel."""

import os
import pwd
import signal
import stat
import subprocess
from functools import partial
from pathlib import Path

import psycopg

from kulturbro_devstack._process import ServerProcess, SubprocessServer, shipped_file
from kulturbro_devstack.ports import free_port

_BIN = shipped_file("pgserver", "pginstall", "bin")
_SUPERUSER = "postgres"
_DATABASE = "postgres"
# postgres refuses to run as root; this is the account pgserver itself creates for that case.
_ROOT_STAND_IN = "pgserver"


class EmbeddedPostgres(SubprocessServer):
    def __init__(self, process: ServerProcess, port: int) -> None:
        super().__init__(process)
        self.port = port
        self.url = _url(port)


def start_postgres(data_dir: Path) -> EmbeddedPostgres:
    """Start a server on data_dir, creating the cluster there first unless it already exists."""
    data_dir = data_dir.resolve()
    account = _root_stand_in() if os.geteuid() == 0 else None
    _ensure_cluster(data_dir, account)
    port = free_port()
    argv = [
        str(_BIN / "postgres"),
        "-D", str(data_dir),
        "-p", str(port),
        "-c", "listen_addresses=127.0.0.1",
        # TCP only, so no socket directory has to be writable by the server's account.
        "-c", "unix_socket_directories=",
    ]  # fmt: skip
    process = ServerProcess(
        "postgres",
        argv,
        ready=partial(_accepts_sessions, _url(port)),
        ready_timeout=60,
        # SIGTERM is postgres' "smart" shutdown, which waits for every client to disconnect.
        stop_signal=signal.SIGINT,
        user=account.pw_uid if account else None,
        group=account.pw_gid if account else None,
    )
    process.start()
    return EmbeddedPostgres(process, port)


# Ordering by the C rules, as text keys are compared, but letters as Unicode has them, as in
# production: lower('Öster') must be 'öster' there too. The first this machine has is taken.
_LOCALES = (
    ["--lc-collate=C", "--lc-ctype=C.UTF-8"],
    ["--lc-collate=C", "--lc-ctype=en_US.UTF-8"],
    ["--no-locale"],
)


def _ensure_cluster(data_dir: Path, account: pwd.struct_passwd | None) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    if account is not None:
        _allow_traversal(data_dir)
        _allow_traversal(_BIN)
    if (data_dir / "PG_VERSION").exists():
        return
    if account is not None:
        os.chown(data_dir, account.pw_uid, account.pw_gid)
    initdb = [
        str(_BIN / "initdb"),
        "-D", str(data_dir),
        "-U", _SUPERUSER,
        "--auth=trust",
        "--encoding=UTF8",
    ]  # fmt: skip
    for locale in _LOCALES:
        result = subprocess.run(
            [*initdb, *locale],
            check=False,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            user=account.pw_uid if account else None,
            group=account.pw_gid if account else None,
            extra_groups=[] if account else None,
            timeout=120,
        )
        if result.returncode == 0:
            return  # (a refused try leaves the directory empty again)
    if result.returncode != 0:
        raise RuntimeError(
            f"postgres failed to start: initdb exited with code {result.returncode}:\n"
            f"{result.stdout}{result.stderr}"
        )


def _root_stand_in() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(_ROOT_STAND_IN)
    except KeyError:
        pass
    created = subprocess.run(
        ["useradd", "--system", "--no-create-home", _ROOT_STAND_IN],
        check=False,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    try:
        # Looked up again rather than trusting the exit code: a concurrent start may have won.
        return pwd.getpwnam(_ROOT_STAND_IN)
    except KeyError:
        raise RuntimeError(
            f"postgres failed to start: it cannot run as root and creating the system user "
            f"{_ROOT_STAND_IN!r} failed: {created.stderr}"
        ) from None


def _allow_traversal(path: Path) -> None:
    # Only the search bit for others: the server's account must reach its directories,
    # but needs no right to list what else lives along the way.
    for directory in path.parents:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)


def _url(port: int) -> str:
    return f"postgresql://{_SUPERUSER}@127.0.0.1:{port}/{_DATABASE}"


def _accepts_sessions(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False
