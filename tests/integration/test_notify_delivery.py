"""Delivery holds up: a refused address fails alone, a mail server that refuses everything leaves
the work pending, and a notify process stopped or killed mid-fan-out misses nobody."""

import asyncio
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from prometheus_client import REGISTRY

from kulturbro_cli.services import load_service
from kulturbro_contracts import TeacherRegistered
from kulturbro_contracts.directory import Teacher
from kulturbro_contracts.vocabulary import Language
from kulturbro_devstack.facts import MUNICIPALITY, an_event, group_with_teacher, publish, school
from kulturbro_devstack.ports import free_port
from kulturbro_devstack.testing import (
    Servers,
    identity_headers,
    running,
    service_env,
    service_settings,
)
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.service import Service
from notify.delivery_job import UNRECORDED

from .conftest import query, until_rows

pytestmark = pytest.mark.integration


class Mailbox:
    """An SMTP server whose answers the test decides: refuse some addresses, or everything for
    a while, or answer slowly; it keeps what it accepts."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted: list[tuple[str, str]] = []  # (recipient, Message-ID)
        self.refuse_all = False
        self.delay = 0.0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.refuse_all:
            return "451 4.3.0 Mail server busy, try again later"
        if address.startswith("nobody"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        mail = email.message_from_bytes(
            envelope.original_content or b"", policy=email.policy.default
        )
        with self.lock:
            self.accepted.extend((to, str(mail["Message-ID"])) for to in envelope.rcpt_tos)
        return "250 Accepted"

    def count(self) -> int:
        with self.lock:
            return len(self.accepted)


@pytest.fixture
def mailbox():  # type: ignore[no-untyped-def]
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, server_hostname="localhost")
    controller.start()
    box.url = f"smtp://127.0.0.1:{port}"  # type: ignore[attr-defined]
    yield box
    controller.stop()


def teachers(count: int, unit_id, names=None):  # type: ignore[no-untyped-def]
    facts = []
    for n in range(count):
        _, teacher_id, linked = group_with_teacher(unit_id, 20)
        name = names[n] if names else f"larare{n:04d}"
        facts += [*linked, TeacherRegistered(
            municipality_id=MUNICIPALITY,
            payload=Teacher(teacher_id=teacher_id, name=name, email=f"{name}@skola.example",
                            language=Language.SV))]  # fmt: skip
    return facts


async def until(check, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.1)):
        if check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("not there in time")


@pytest.fixture
async def publisher(servers: Servers, topic_prefix: str, new_schema, probe: Service):  # type: ignore[no-untyped-def]
    settings = service_settings(probe, service_env(servers, topic_prefix, new_schema("publisher")))
    probe.migrate(settings)
    runtime = Runtime("publisher", settings, handlers={})
    await runtime.start()
    yield runtime
    await runtime.stop()


async def test_a_refused_address_fails_alone_and_a_refusing_server_loses_nothing(
    servers: Servers, topic_prefix: str, new_schema, publisher: Runtime, mailbox: Mailbox
) -> None:
    notify = load_service("notify")
    unit = school("Väster")
    names = ["nobody", "alma", "berit", "cilla"]
    mails_before = {outcome: _mails(outcome) for outcome in ("sent", "failed", "retry")}
    env = service_env(servers, topic_prefix, new_schema("notify"), SMTP_URL=mailbox.url)  # type: ignore[attr-defined]
    async with running(notify, service_settings(notify, env)) as api:
        await publish(publisher, [unit, *teachers(4, unit.payload.unit_id, names)])
        await until_rows(servers.database_url, env["DB_SCHEMA"], "replica_teacher_group", 4)
        mailbox.refuse_all = True
        first = an_event([100])
        await publish(publisher, [first])
        admin = identity_headers("administrator", MUNICIPALITY)

        async def summary(event) -> dict:  # type: ignore[no-untyped-def]
            answer = await api.get(
                f"/deliveries/summary?subject_id={event.payload.event_id}", headers=admin
            )
            return answer.json()  # type: ignore[no-any-return]

        await asyncio.sleep(3.0)
        waiting = await summary(first)
        assert waiting["pending"] == 4 and waiting["sent"] == 0, waiting
        assert mailbox.count() == 0
        log = (
            await api.get(f"/deliveries?subject_id={first.payload.event_id}", headers=admin)
        ).json()
        assert all("451" in d["reason"] and d["attempts"] == 1 for d in log), log

        # The server takes mail again; the backoff is shortened here rather than waited out.
        mailbox.refuse_all = False
        query(
            servers.database_url,
            f'update "{env["DB_SCHEMA"]}".delivery set next_attempt_at = now()',
        )
        await until(lambda: mailbox.count() == 3)
        await asyncio.sleep(1.0)
        done = await summary(first)
        assert done == {"pending": 0, "sending": 0, "sent": 3, "failed": 1}, done
        failed = (await api.get("/deliveries?status=failed", headers=admin)).json()
        assert [(d["email"], d["reason"][:3]) for d in failed] == [("nobody@skola.example", "550")]
        assert sorted(to for to, _ in mailbox.accepted) == [
            "alma@skola.example", "berit@skola.example", "cilla@skola.example"]  # fmt: skip
        told = {outcome: _mails(outcome) - before for outcome, before in mails_before.items()}
        assert told["sent"] == 3 and told["failed"] == 1 and told["retry"] >= 4, told


def _mails(outcome: str) -> float:
    """What /metrics tells of mails (kulturbro_mails_total), for the alerts and dashboards."""
    return REGISTRY.get_sample_value("kulturbro_mails_total", {"outcome": outcome}) or 0.0


def _start_notify(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kulturbro_cli", "service", "notify"], env=os.environ | env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


@pytest.mark.timeout(240)
async def test_a_notify_process_stopped_or_killed_mid_fan_out_misses_nobody(
    servers: Servers, topic_prefix: str, new_schema, publisher: Runtime, mailbox: Mailbox
) -> None:
    count, connections = 400, 4
    mailbox.delay = 0.01  # a slower server, so the fan-out is stopped midway
    notify = load_service("notify")
    env = service_env(
        servers, topic_prefix, new_schema("notify"), SMTP_URL=mailbox.url,  # type: ignore[attr-defined]
        SMTP_CONNECTIONS=str(connections), HTTP_PORT=str(free_port()),
    )  # fmt: skip
    notify.migrate(service_settings(notify, env))
    unit = school("Öster")
    await publish(publisher, [unit, *teachers(count, unit.payload.unit_id)])
    process = _start_notify(env)
    started = [process]
    try:
        schema = env["DB_SCHEMA"]
        await until_rows(servers.database_url, schema, "replica_teacher_group", count)
        await publish(publisher, [an_event([1000])])

        await until(lambda: mailbox.count() >= count // 4)
        process.send_signal(signal.SIGTERM)  # as Kubernetes stops a pod: mails in flight finish
        # uvicorn re-raises the signal once it has shut down gracefully.
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)
        claimed = f"""select count(*) from "{schema}".delivery where status = 'sending'"""
        assert query(servers.database_url, claimed) == [(0,)], "what it had claimed, it gave back"
        after_stop = Counter(to for to, _ in mailbox.accepted)
        assert max(after_stop.values()) == 1, "a stopped process sends nothing twice"

        # Two processes share the rest; one of them is killed with no time to finish anything,
        # and the other takes back what it had claimed.
        killed, survivor = _start_notify(env), _start_notify(env | {"HTTP_PORT": str(free_port())})
        started += [killed, survivor]
        await until(lambda: mailbox.count() >= count * 2 // 3)
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait()
        await until(lambda: len({to for to, _ in mailbox.accepted}) == count, timeout=120)
        sent = f"""select count(*) from "{schema}".delivery where status = 'sent'"""
        await until(lambda: query(servers.database_url, sent)[0][0] == count)
    finally:
        for running_process in started:
            if running_process.poll() is None:
                os.killpg(running_process.pid, signal.SIGKILL)
                running_process.wait()
    per_teacher = Counter(to for to, _ in mailbox.accepted)
    assert len(per_teacher) == count, "nobody missed"
    ids_per_teacher = {to: {mid for t, mid in mailbox.accepted if t == to} for to in per_teacher}
    assert all(len(ids) == 1 for ids in ids_per_teacher.values()), "one message per teacher"
    repeated = sum(per_teacher.values()) - count
    # SMTP cannot close the moment between the server taking a mail and our record of it
    # (RFC 1047): a kill can repeat what each connection had sent and not yet recorded, with
    # the same Message-ID, so mail programs show it once.
    assert repeated <= connections * UNRECORDED, f"{repeated} mails repeated after a SIGKILL"
