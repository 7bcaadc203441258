"""`kulturbro dev`: every service as its own process on real servers, until Ctrl-C."""

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path

import httpx
import psycopg
from rich.console import Console

from kulturbro_cli.database import ServiceLogin, grant_own_schemas, with_login
from kulturbro_cli.demo import (
    DEMO_MUNICIPALITY,
    DEMO_PASSWORD,
    add_demo_accounts,
    load_demo,
    set_demo_bus_rules,
)
from kulturbro_cli.infrastructure import Infrastructure, provide
from kulturbro_cli.services import SERVICE_NAMES, load_service
from kulturbro_devstack.ports import port_holders
from kulturbro_devstack.prometheus import (
    INSTALL,
    observability_folder,
    prometheus_binary,
    start_prometheus,
)
from kulturbro_runtime.settings import settings_from
from kulturbro_runtime.topics import all_topics, create_topics

READY_TIMEOUT_SECONDS = 90
# Development only, like the servers it opens: each service signs in as itself with it.
DEV_DATABASE_PASSWORD = "kulturbro-dev-only"
console = Console(highlight=False)


def service_ports(port_base: int) -> dict[str, int]:
    """The gateway on the base port, the others after it in a fixed order."""
    ordered = ("gateway", *(name for name in SERVICE_NAMES if name != "gateway"))
    return {name: port_base + offset for offset, name in enumerate(ordered)}


def mailbox_port(port_base: int) -> int:
    """The page listing the mails Kulturbro sent: on the port after the services'."""
    return port_base + len(SERVICE_NAMES)


def observe_ports(port_base: int) -> tuple[int, int]:
    """`--observe`: the trace viewer and Prometheus, on the ports after the mailbox's."""
    return mailbox_port(port_base) + 1, mailbox_port(port_base) + 2


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As uvicorn binds: a port whose old connections linger in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def taken_ports_message(ports: list[int]) -> str:
    """Which of ports are taken and by whom, so the user knows what to stop."""
    lines, pids = ["kulturbro dev: these ports are in use:"], set[int]()
    for port in ports:
        holders = port_holders(port)
        pids.update(holder.pid for holder in holders)
        described = "; ".join(map(str, holders)) or "by a process this user cannot see"
        lines.append(f"  {port}: {described}")
    kill = f" (kill {' '.join(map(str, sorted(pids)))})" if pids else ""
    lines.append(f"Stop what holds them{kill}, or choose other ports with --port-base.")
    return "\n".join(lines)


def service_environment(
    infra: Infrastructure, secret: str, ports: dict[str, int], name: str
) -> dict[str, str]:
    # The web is no API: the gateway sends it every path not its own (WEB_URL), and the web
    # calls the platform through the gateway, as every client does (GATEWAY_URL).
    others = {
        other: f"http://127.0.0.1:{port}"
        for other, port in ports.items()
        if other not in (name, "web")
    }
    return os.environ | {
        "KULTURBRO_ENV": "development",
        "KULTURBRO_SECRET_KEY": secret,
        "DATABASE_URL": with_login(infra.database_url, name, DEV_DATABASE_PASSWORD),
        "REDIS_URL": infra.redis_url,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "SMTP_URL": infra.smtp_url,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(ports[name]),
        "GATEWAY_ROUTES": json.dumps(others),
        "PUBLIC_URL": f"http://127.0.0.1:{ports['gateway']}",
        "GATEWAY_URL": f"http://127.0.0.1:{ports['gateway']}",
        "WEB_URL": f"http://127.0.0.1:{ports['web']}",
        "DEFAULT_MUNICIPALITY": DEMO_MUNICIPALITY,
    }


def run_dev_stack(
    port_base: int, state_dir_name: str, exit_when_ready: bool, observe: bool = False
) -> None:
    _on_stop_signals(_raise_keyboard_interrupt)  # a stop during the start, too
    if observe and prometheus_binary() is None:
        raise SystemExit(f"kulturbro dev --observe needs Prometheus: {INSTALL}")
    state_dir = Path(state_dir_name).resolve()
    (state_dir / "logs").mkdir(parents=True, exist_ok=True)
    ports = service_ports(port_base)
    mailbox = mailbox_port(port_base)
    traces_port, prometheus_port = observe_ports(port_base)
    wanted = [*ports.values(), mailbox, *((traces_port, prometheus_port) if observe else ())]
    taken = [port for port in wanted if not port_is_free(port)]
    if taken:
        raise SystemExit(taken_ports_message(taken))
    observing = (
        {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{traces_port}"} if observe else {}
    )
    secret = secrets.token_urlsafe(32)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    with ExitStack() as stack:
        with console.status("starting Kulturbro") as status:

            def progress(message: str) -> None:
                status.update(message)
                console.print(f"  · {message}")

            infra = provide(state_dir, stack, progress)
            stack.callback(_stop_all, processes)  # runs before the servers the services use stop
            if observe:
                progress(f"starting Prometheus on port {prometheus_port}")
                prometheus = stack.enter_context(
                    start_prometheus(state_dir / "prometheus", ports, prometheus_port)
                )
                progress(f"starting the trace viewer on port {traces_port}")
                folder = observability_folder()
                dashboards = (
                    ["--dashboards", str(folder / "grafana" / "dashboards")] if folder else []
                )
                processes["traces"] = _start(
                    "traces",
                    ["kulturbro_devstack.traces", "--port", str(traces_port),
                     "--prometheus-url", prometheus.url, *dashboards],
                    os.environ,
                    state_dir,
                )  # fmt: skip
            progress("giving each service a database login of its own")
            _grant_own_schemas(infra.database_url)
            progress("creating topics")
            asyncio.run(create_topics(infra.kafka_bootstrap_servers, all_topics("kulturbro")))
            for name in SERVICE_NAMES:
                progress(f"migrating {name}")
                env = service_environment(infra, secret, ports, name)
                service = load_service(name)
                service.migrate(settings_from(service.settings_class, env))
            for name in SERVICE_NAMES:
                progress(f"starting {name} on port {ports[name]}")
                processes[name] = _start(
                    name,
                    ["kulturbro_cli", "service", name],
                    service_environment(infra, secret, ports, name) | observing,
                    state_dir,
                )
            http_ports = dict(ports) | ({"traces": traces_port} if observe else {})
            if infra.maildir:
                progress(f"starting the mailbox on port {mailbox}")
                processes["mailbox"] = _start(
                    "mailbox",
                    ["kulturbro_devstack.mailbox", "--port", str(mailbox),
                     "--maildir", str(infra.maildir)],
                    os.environ,
                    state_dir,
                )  # fmt: skip
                http_ports["mailbox"] = mailbox
            _wait_until_ready(http_ports, processes, state_dir, progress)
            progress("loading the demo municipality")
            demo = load_demo(f"http://127.0.0.1:{ports['directory']}", secret)
            progress("adding demo accounts and a published event")
            accounts = add_demo_accounts(
                service_environment(infra, secret, ports, "gateway"),
                f"http://127.0.0.1:{ports['catalog']}",
                secret,
            )
            set_demo_bus_rules(f"http://127.0.0.1:{ports['transport']}", secret)
        _print_welcome(
            http_ports, infra, state_dir, demo, accounts, prometheus.url if observe else None
        )
        if exit_when_ready:
            return
        _wait_for_interrupt(processes)
    console.print("Kulturbro stopped; no process left behind.")


def _grant_own_schemas(database_url: str) -> None:
    logins = [ServiceLogin(name, name, DEV_DATABASE_PASSWORD) for name in SERVICE_NAMES]
    try:
        grant_own_schemas(database_url, logins)
    except psycopg.errors.InsufficientPrivilege as error:
        raise SystemExit(
            f"kulturbro dev: DATABASE_URL's login may not give each service a login of its own "
            f"({error.diag.message_primary}); use a superuser's, or unset DATABASE_URL for the "
            f"embedded PostgreSQL"
        ) from None


def _start(
    name: str, module_and_args: list[str], env: Mapping[str, str], state_dir: Path
) -> subprocess.Popen[bytes]:
    with (state_dir / "logs" / f"{name}.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", *module_and_args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_until_ready(
    ports: dict[str, int],
    processes: dict[str, subprocess.Popen[bytes]],
    state_dir: Path,
    progress: object,
) -> None:
    waiting = set(ports)
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    with httpx.Client(timeout=2) as client:
        while waiting:
            for name in sorted(waiting):
                if processes[name].poll() is not None:
                    log = state_dir / "logs" / f"{name}.log"
                    raise SystemExit(f"kulturbro dev: {name} stopped at start; see {log}")
                try:
                    if client.get(f"http://127.0.0.1:{ports[name]}/readyz").status_code == 200:
                        waiting.discard(name)
                        console.print(f"  ✓ {name} ready")
                except httpx.HTTPError:
                    pass
            if time.monotonic() > deadline:
                raise SystemExit(f"kulturbro dev: not ready in time: {', '.join(sorted(waiting))}")
            time.sleep(0.3)


def _print_welcome(
    ports: dict[str, int],
    infra: Infrastructure,
    state_dir: Path,
    demo: str,
    accounts: dict[str, str],
    prometheus_url: str | None = None,
) -> None:
    console.print("\n[bold green]Kulturbro is running.[/] Press Ctrl-C to stop everything.\n")
    console.print(f"  Open Kulturbro: http://127.0.0.1:{ports['gateway']}/")
    console.print(f"  Open the API:   http://127.0.0.1:{ports['gateway']}/docs")
    for name in SERVICE_NAMES:
        console.print(f"  {name:<11} http://127.0.0.1:{ports[name]}/docs")
    console.print(f"\n  Demo municipality {DEMO_MUNICIPALITY!r}: {demo}")
    for role, email in accounts.items():
        console.print(f"  Sign in as {role}: {email} / {DEMO_PASSWORD}")
    console.print("  Teachers sign in with an e-mailed link (POST /auth/magic-link)")
    if "mailbox" in ports:
        console.print(f"  Mails sent by Kulturbro: http://127.0.0.1:{ports['mailbox']}/")
        console.print(f"  Mail files: {infra.maildir}")
    if "traces" in ports:
        traces = f"http://127.0.0.1:{ports['traces']}"
        console.print(f"  Traces across services: {traces}/")
        console.print(f"  Dashboards (deploy's, as Prometheus graphs): {traces}/dashboards")
        console.print(f"  Prometheus, its targets and alerts: {prometheus_url}/targets, /alerts")
    console.print(f"  Service logs: {state_dir / 'logs'}\n")


def _on_stop_signals(stop: Callable[[], None]) -> None:
    """Ctrl-C, `kill` and the terminal closing (SIGHUP) all stop everything: the services run
    in sessions of their own, so nothing else would stop them."""

    def handle(signum: int, frame: object) -> None:
        if signum == signal.SIGHUP:
            _write_nowhere()
        stop()

    # Set, not inherited: a shell starting us in the background leaves Ctrl-C ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)
    # ...but `nohup` ignores SIGHUP precisely so that we outlive the terminal.
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        signal.signal(signal.SIGHUP, handle)


def _raise_keyboard_interrupt() -> None:
    raise KeyboardInterrupt


def _write_nowhere() -> None:
    # The terminal is gone: writing to it would fail (EIO) in the middle of stopping.
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (sys.stdout.fileno(), sys.stderr.fileno()):
        os.dup2(devnull, fd)
    os.close(devnull)


def _wait_for_interrupt(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    stop = False

    def request_stop() -> None:
        nonlocal stop
        stop = True

    _on_stop_signals(request_stop)
    while not stop:
        for name, process in processes.items():
            if process.poll() is not None:
                console.print(f"[red]{name} stopped unexpectedly (exit {process.returncode})[/]")
                return
        time.sleep(0.5)
    console.print("\nstopping…")


def _stop_all(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes.values():
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
