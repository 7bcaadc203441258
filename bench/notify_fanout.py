"""Invitation fan-out: one EventPublished to every targeted teacher, through the notify service
to a counting SMTP server in its own process, with mails per second, duplicates and the peak memory
of the notify process; beside it, in the same run, the rate of a bare aiosmtplib client reusing
as many connections to the same server, and the ratio of the two.

Run with `.venv/bin/python -m bench.notify_fanout [TEACHERS [PROCESSES]]`: PROCESSES notify
processes (default 1) share the work and the 8 connections.
"""

import asyncio
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import aiosmtplib
import httpx
import psutil
import psycopg
from psycopg.rows import namedtuple_row

from bench.harness import stage, stop
from bench.smtp_sink import read_stats
from kulturbro_cli.services import load_service
from kulturbro_contracts.catalog import PublishedEvent
from kulturbro_contracts.vocabulary import InvitationPreference, Language, TargetGroup, UnitKind
from kulturbro_devstack.facts import MUNICIPALITY, an_event, publish
from kulturbro_devstack.ports import free_port
from kulturbro_devstack.testing import Servers, service_settings, start_servers
from notify.invitations import INVITATION
from notify.rendering import Renderer
from notify.settings import NotifySettings

TEACHERS = 50_000
SCHOOLS = 500
CONNECTIONS = 8
# One teacher in five also teaches a colleague's group: still one invitation, naming both.
CO_TEACHING_EVERY = 5
AIM = 0.8
SAMPLE_SECONDS = 0.2


def seed_teachers(url: str, schema: str, teachers: int) -> None:
    """Schools, grade 4 groups and their teachers, straight into notify's replica tables."""
    languages = [language.value for language in Language]
    immediate, grade_4 = InvitationPreference.IMMEDIATE.value, TargetGroup.GRADE_4.value
    units = [uuid.uuid4() for _ in range(SCHOOLS)]
    groups = [uuid.uuid4() for _ in range(teachers)]
    teacher_ids = [uuid.uuid4() for _ in range(teachers)]
    links = [(teacher_ids[n], groups[n]) for n in range(teachers)] + [
        (teacher_ids[n], groups[n + 1]) for n in range(0, teachers - 1, CO_TEACHING_EVERY)
    ]
    unit_rows = [
        (u, f"Skola {n}", UnitKind.SCHOOL.value, f"Distrikt {n % 10}") for n, u in enumerate(units)
    ]
    group_rows = [
        (g, units[n % SCHOOLS], f"Klass 4-{n // SCHOOLS + 1}", grade_4, 20 + n % 9)
        for n, g in enumerate(groups)
    ]
    teacher_rows = [
        (
            t,
            f"Lärare {n}",
            f"larare{n}@skola{n % SCHOOLS}.malmo.example",
            languages[n % 3],
            immediate,
        )
        for n, t in enumerate(teacher_ids)
    ]
    tables: list[tuple[str, str, list[tuple[object, ...]]]] = [
        ("replica_unit", "unit_id, name, kind, district", unit_rows),
        ("replica_group", "group_id, unit_id, name, target_group, size", group_rows),
        ("replica_teacher", "teacher_id, name, email, language, invitations", teacher_rows),
        ("replica_teacher_group", "teacher_id, group_id", links),
    ]
    with psycopg.connect(url) as connection:
        for table, columns, rows in tables:
            statement = f'copy "{schema}".{table} (municipality_id, {columns}) from stdin'
            with connection.cursor().copy(statement) as copy:
                for row in rows:
                    copy.write_row((MUNICIPALITY, *row))
        connection.commit()
        connection.autocommit = True
        for table, _, _ in tables:
            connection.execute(f'analyze "{schema}".{table}')


def the_same_invitation(
    url: str, schema: str, settings: NotifySettings, event: PublishedEvent
) -> bytes:
    """One invitation of this fan-out (a Swedish teacher with one group) made again from its
    delivery row by notify's own renderer: the bare client sends the same bytes, so the ratio is
    what the engine adds to sending, not a difference in the mails, whatever invitations gain."""
    with psycopg.connect(url, row_factory=namedtuple_row) as connection:
        row = connection.execute(
            f'select * from "{schema}".delivery where kind = %s and language = %s'
            " and json_array_length(context -> 'groups') = 1 limit 1",
            (INVITATION, Language.SV.value),
        ).fetchone()
    if row is None:
        raise LookupError("the fan-out left no invitation to a Swedish teacher with one group")
    # No time zone: the municipality's is not known here, nor in the fan-out.
    _, mail = Renderer(settings).render(row, event.model_dump(), None)
    return mail


async def bare_sends(port: int, count: int, mail: bytes) -> None:
    """`count` mails to as many addresses over CONNECTIONS connections, each one reused."""

    async def connection(addresses: range) -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=60)
        await smtp.connect()
        for n in addresses:
            await smtp.sendmail("no-reply@kulturbro.example", [f"bare{n}@malmo.example"], mail)
        await smtp.quit()

    await asyncio.gather(*(connection(range(c, count, CONNECTIONS)) for c in range(CONNECTIONS)))


def _tree(pids: list[int]) -> list[psutil.Process]:
    roots = [psutil.Process(pid) for pid in pids]
    return [p for root in roots for p in (root, *root.children(recursive=True))]


def _rss(pids: list[int]) -> int:
    try:
        return sum(p.memory_info().rss for p in _tree(pids) if p.is_running())
    except psutil.NoSuchProcess:
        return 0


def _cpu_seconds(pids: list[int]) -> float:
    return sum(sum(p.cpu_times()[:2]) for p in _tree(pids))


async def _peak_rss(pids: list[int], peak: list[int]) -> None:
    while True:
        peak[0] = max(peak[0], _rss(pids))
        await asyncio.sleep(SAMPLE_SECONDS)


async def _until_ready(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the process exited with {process.returncode}")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"nothing ready on port {port} within {timeout:.0f} s")


def _tail(log: Path, characters: int = 3000) -> str:
    return log.read_text(errors="replace")[-characters:]


async def run(servers: Servers, teachers: int, senders: int, workdir: Path) -> None:
    async with stage(servers, "notify") as run:
        url, schemas, publisher = run.url, run.schemas, run.publisher
        smtp_port, stats_port = free_port(), free_port()
        sink = run.start(
            ["bench.smtp_sink", "--port", str(smtp_port), "--stats-port", str(stats_port)],
            {},
            workdir / "smtp_sink.log",
        )
        # As many connections in all as the bare client has, shared by the processes.
        env = run.env(
            "notify", SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
            SMTP_CONNECTIONS=str(CONNECTIONS // senders), MAILS_PER_SECOND="0",
        )  # fmt: skip
        service = load_service("notify")
        settings = service_settings(service, env)
        assert isinstance(settings, NotifySettings)
        service.migrate(settings)
        seed_teachers(url, schemas["notify"], teachers)
        notify = []
        for number in range(senders):
            port = free_port()
            notify.append(run.start(["kulturbro_cli", "service", "notify"],
                                    env | {"HTTP_PORT": str(port)},
                                    workdir / f"notify{number}.log"))  # fmt: skip
            await _until_ready(port, notify[-1], 120)
        pids = [process.pid for process in notify]
        await read_stats(stats_port, "reset")

        peak = [0]
        sampler = asyncio.create_task(_peak_rss(pids, peak))
        idle_rss = _rss(pids)
        cpu = [_cpu_seconds(pids), _cpu_seconds([sink.pid])]
        sent = f"select count(*) from \"{schemas['notify']}\".delivery where status = 'sent'"
        published_event = an_event([30])
        published = time.time()
        await publish(publisher, [published_event])
        deadline, reported = time.monotonic() + 120 + teachers / 20, time.monotonic()
        with psycopg.connect(url, autocommit=True) as connection:
            while True:
                stats = await read_stats(stats_port)
                row = connection.execute(sent).fetchone()
                marked = int(row[0]) if row else 0
                if stats["recipients"] >= teachers and marked >= teachers:
                    break
                stopped = any(process.poll() is not None for process in notify)
                if stopped or time.monotonic() > deadline:
                    raise TimeoutError(
                        f"{stats['mails']:.0f} mails at the sink, {marked} marked sent, of "
                        f"{teachers}; the first notify log ends:\n{_tail(workdir / 'notify0.log')}"
                    )
                if time.monotonic() - reported > 10:
                    reported = time.monotonic()
                    print(f"  {stats['mails']:.0f} mails, {marked} sent", file=sys.stderr)
                await asyncio.sleep(SAMPLE_SECONDS)
        # A moment longer, so that a late duplicate is counted too.
        await asyncio.sleep(1.0)
        fanout = await read_stats(stats_port)
        busy = time.time() - published
        cpu = [(_cpu_seconds(pids) - cpu[0]) / busy, (_cpu_seconds([sink.pid]) - cpu[1]) / busy]
        sampler.cancel()
        for process in notify:
            stop(process)

        await read_stats(stats_port, "reset")
        mail = the_same_invitation(url, schemas["notify"], settings, published_event.payload)
        await bare_sends(smtp_port, teachers, mail)
        bare = await read_stats(stats_port)

    def rate(stats: dict[str, float]) -> float:
        return stats["mails"] / max(stats["last"] - stats["first"], 1e-9)

    fanout_rate, bare_rate = rate(fanout), rate(bare)
    ratio = fanout_rate / bare_rate
    print(
        f"\nInvitation fan-out: one EventPublished to {teachers} teachers, "
        f"{senders} notify process(es) with {CONNECTIONS} SMTP connections in all, "
        "a counting SMTP server in its own process\n"
    )
    print(f"| {'measure':<50} | {'value':>12} |")
    print(f"|{'-' * 52}|{'-' * 14}|")
    for name, value in [
        ("teachers", f"{teachers}"),
        ("fan-out mails per second (first to last mail)", f"{fanout_rate:.0f}/s"),
        ("publish to first mail", f"{fanout['first'] - published:.1f} s"),
        ("publish to last mail", f"{fanout['last'] - published:.1f} s"),
        ("duplicates (mails − distinct recipients)", f"{fanout['duplicates']:.0f}"),
        ("mean mail size, fan-out", f"{fanout['bytes'] / fanout['mails']:.0f} B"),
        ("notify RSS idle / peak (process tree)", f"{idle_rss >> 20}/{peak[0] >> 20} MB"),
        ("CPU in the fan-out, notify / SMTP server (cores)", f"{cpu[0]:.2f}/{cpu[1]:.2f}"),
        (f"bare aiosmtplib, {CONNECTIONS} reused connections", f"{bare_rate:.0f}/s"),
        ("mean mail size, bare", f"{bare['bytes'] / bare['mails']:.0f} B"),
        ("ratio: fan-out / bare", f"{ratio:.2f}"),
    ]:  # fmt: skip
        print(f"| {name:<50} | {value:>12} |")
    verdict = "met" if ratio >= AIM else "not met"
    duplicates = "no duplicates" if fanout["duplicates"] == 0 else "DUPLICATES"
    print(f"Aim (fan-out at least {AIM:.0%} of the bare rate): {verdict}; {duplicates}.")


def main() -> None:
    teachers = int(sys.argv[1]) if len(sys.argv) > 1 else TEACHERS
    senders = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with ExitStack() as stack, tempfile.TemporaryDirectory() as workdir:
        servers = start_servers(stack, Path(workdir))
        asyncio.run(run(servers, teachers, senders, Path(workdir)))


if __name__ == "__main__":
    main()
