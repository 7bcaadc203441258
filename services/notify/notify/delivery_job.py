"""Sends what the delivery log holds pending: claimed in batches, over several reused SMTP
connections at a bounded rate, each mail marked sent (with its NotificationSent) right after the
server has taken it.

Never twice: a claim is committed before sending and names the claiming process, which holds a
Postgres advisory lock for as long as it lives; claims of a process that died go back to pending.
The one window SMTP leaves open (RFC 1047: the server has taken a mail, its answer has not been
recorded yet) holds at most UNRECORDED mails per connection, and a mail sent again keeps its
Message-ID, so mail programs show it once.
"""

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiosmtplib
import psycopg
from prometheus_client import Counter
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kulturbro_contracts import NotificationFailed, NotificationSent
from kulturbro_contracts.notify import Delivery, FailedDelivery
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.unit_of_work import INSERT_OUTBOX, outbox_columns
from notify.db import delivery
from notify.mailer import smtp_client
from notify.rendering import MissingFacts, Renderer, notification_id, plausible_address
from notify.settings import NotifySettings

log = logging.getLogger(__name__)
BATCH = 200
IDLE_SECONDS = 1.0
ORPHAN_CHECK_SECONDS = 10.0
MAX_ATTEMPTS = 12  # about eight hours of backing off
UNRECORDED = 4  # per connection: what a killed process may send again


mails = Counter(
    "kulturbro_mails_total",
    "mails recorded as taken by the server (sent), refused for good (failed) or put off (retry)",
    ["outcome"],
)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


@dataclass
class Outcome:
    row: Any
    status: str  # sent | failed | retry
    subject: str | None = None
    reason: str | None = None
    recorded: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class ServerUnavailable(Exception):
    """The mail server cannot take mail now; nothing about the mail itself is wrong."""


class Ledger:
    """Records outcomes as they happen, many per transaction (group commit), on a connection of
    its own: at thousands of mails a second the ORM's cost per statement would be the limit."""

    # One statement, so one round trip and atomic without BEGIN and COMMIT: the mails' new
    # states and their NotificationSent/Failed rows in the outbox.
    MARK_AND_TELL = (
        "with marked as (update delivery d set status = o.status, attempts = d.attempts + 1,"
        " subject = o.subject, reason = o.reason, claimed_by = null,"
        " sent_at = case when o.status = 'sent' then now() end"
        " from unnest(%(ids)s::bigint[], %(statuses)s::text[], %(subjects)s::text[],"
        " %(reasons)s::text[]) as o(id, status, subject, reason) where d.id = o.id) "
    ) + INSERT_OUTBOX
    RETRY = (
        "update delivery set status = 'pending', attempts = attempts + 1, reason = %(reason)s,"
        " next_attempt_at = now() + %(delay)s, claimed_by = null where id = %(id)s"
    )

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._waiting: list[Outcome] = []
        self._wake = asyncio.Event()
        self._connection: psycopg.AsyncConnection[Any] | None = None

    async def record(self, outcome: Outcome) -> None:
        self._waiting.append(outcome)
        self._wake.set()
        await outcome.recorded

    async def run(self) -> None:
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                outcomes, self._waiting = self._waiting, []
                try:
                    await self._write(outcomes)
                except Exception as error:
                    await self._forget_connection()
                    for outcome in outcomes:
                        outcome.recorded.set_exception(error)
                    continue
                for outcome in outcomes:
                    mails.labels(outcome.status).inc()
                    outcome.recorded.set_result(None)
                self.runtime.relay.wake()
        finally:
            await self._forget_connection()

    async def _forget_connection(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None

    async def _write(self, outcomes: list[Outcome]) -> None:
        if self._connection is None:
            # Losing a commit needs Postgres itself to crash, not this process: then a mail
            # could go twice, which beats waiting for the disk on every mail.
            self._connection = await self.runtime.database.raw_connection(
                autocommit=True, synchronous_commit="off"
            )
        done = [o for o in outcomes if o.status != "retry"]
        if done:
            told = [_told(o) for o in done]
            _, columns = outbox_columns(told, self.runtime.settings.topic_prefix)
            await self._connection.execute(
                self.MARK_AND_TELL,
                {"ids": [o.row.id for o in done], "statuses": [o.status for o in done],
                 "subjects": [o.subject for o in done], "reasons": [o.reason for o in done]}
                | columns,
            )  # fmt: skip
        for o in outcomes:
            if o.status == "retry":  # a statement each, each atomic: rare, and independent
                await self._connection.execute(
                    self.RETRY,
                    {"id": o.row.id, "reason": o.reason, "delay": backoff(o.row.attempts + 1)},
                )


def _told(outcome: Outcome) -> NotificationSent | NotificationFailed:
    row = outcome.row
    facts = {"notification_id": notification_id(row.id), "recipient_id": row.recipient_id,
             "kind": row.kind, "subject_id": row.subject_id}  # fmt: skip
    if outcome.status == "sent":
        return NotificationSent(municipality_id=row.municipality_id, payload=Delivery(**facts))
    return NotificationFailed(
        municipality_id=row.municipality_id,
        payload=FailedDelivery(**facts, reason=outcome.reason or "", permanent=True),
    )


class RateLimit:
    """At most `per_second` mails per second from this process (0: as fast as the server takes)."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second else 0.0
        self._next = time.monotonic()

    async def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        self._next = max(self._next + self.interval, now)
        if self._next > now:
            await asyncio.sleep(self._next - now)


class Connection:
    """One SMTP connection, opened when first needed and reused for every mail after."""

    def __init__(self, settings: NotifySettings) -> None:
        self.settings = settings
        self.smtp: aiosmtplib.SMTP | None = None

    async def send(self, sender: str, to: str, raw: bytes) -> None:
        try:
            if self.smtp is None or not self.smtp.is_connected:
                self.smtp = smtp_client(self.settings)
                await self.smtp.connect()
            await self.smtp.sendmail(sender, [to], raw)
        except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPResponseException):
            raise
        except (aiosmtplib.SMTPException, OSError) as error:
            await self.close()
            raise ServerUnavailable(str(error) or type(error).__name__) from error

    async def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(Exception):
                if self.smtp.is_connected:
                    await self.smtp.quit()
            self.smtp = None


def _judge(error: Exception) -> tuple[str, str]:
    """Failed for good (the recipient or the mail is refused) or to be tried again."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        refusal = error.recipients[0] if error.recipients else None
        code = refusal.code if refusal else 550
        reason = f"{code} {refusal.message if refusal else error}"
        return ("failed" if code >= 500 else "retry"), reason[:500]
    if isinstance(error, aiosmtplib.SMTPSenderRefused):
        return "retry", f"the server refuses our sender: {error.code} {error.message}"[:500]
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return ("failed" if error.code >= 500 else "retry"), f"{error.code} {error.message}"[:500]
    return "retry", str(error)[:500]


class Postman:
    """One sending process: claims batches and sends them over `smtp_connections` connections."""

    def __init__(self, runtime: Runtime, settings: NotifySettings) -> None:
        self.runtime = runtime
        self.settings = settings
        self.key = 0  # this process's advisory lock, named in its claims; see hold_key()
        self.renderer = Renderer(settings)
        self.ledger = Ledger(runtime)
        self.rate = RateLimit(settings.mails_per_second)
        self.connections = [Connection(settings) for _ in range(settings.smtp_connections)]
        self.stopping = False

    async def hold_key(self, lifeline: AsyncConnection) -> None:
        """Take a lock no other process holds, for as long as `lifeline` lives: while it is
        held, this process's claims are its own; once it is gone, anyone may take them back."""
        while True:
            self.key = secrets.randbits(62) + 1
            if await lifeline.scalar(select(func.pg_try_advisory_lock(self.key))):
                await lifeline.commit()
                return

    async def claim(self) -> list[Any]:
        async with self.runtime.unit_of_work() as uow:
            due = (
                select(delivery.c.id)
                .where(delivery.c.status == "pending", delivery.c.next_attempt_at <= func.now())
                .order_by(delivery.c.next_attempt_at, delivery.c.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
            claimed = await uow.session.execute(
                update(delivery)
                .where(delivery.c.id.in_(due.scalar_subquery()))
                .values(status="sending", claimed_by=self.key)
                .returning(*delivery.c)
            )
            return sorted(claimed.all(), key=lambda row: row.id)

    async def release(self, rows: Iterable[Any], delay: timedelta = timedelta(0)) -> None:
        """Claimed mails this process will not send after all go back for anyone to take."""
        ids = [row.id for row in rows]
        if not ids:
            return
        async with self.runtime.unit_of_work() as uow:
            await uow.session.execute(
                update(delivery)
                .where(delivery.c.id.in_(ids), delivery.c.status == "sending")
                .values(status="pending", claimed_by=None,
                        next_attempt_at=func.now() + delay)
            )  # fmt: skip

    async def release_orphans(self) -> None:
        """Claims of processes that died (their lock is free) go back to pending."""
        async with self.runtime.unit_of_work() as uow:
            claimers = await uow.session.scalars(
                select(delivery.c.claimed_by)
                .where(delivery.c.status == "sending", delivery.c.claimed_by != self.key)
                .distinct()
            )
            for claimer in list(claimers):
                if await uow.session.scalar(select(func.pg_try_advisory_xact_lock(claimer))):
                    await uow.session.execute(
                        update(delivery)
                        .where(delivery.c.status == "sending", delivery.c.claimed_by == claimer)
                        .values(status="pending", claimed_by=None)
                    )
                    log.warning("took back the unsent mails of a stopped sender (%s)", claimer)

    async def prepare(
        self, rows: list[Any]
    ) -> tuple[list[tuple[Any, str, bytes]], list[Any], list[Outcome]]:
        """Render a batch; mails about facts not here yet wait, bad addresses fail at once."""
        async with self.runtime.database.sessions() as session:
            events, zones = await self.renderer.facts(session, rows)
        ready, waiting, invalid = [], [], []
        for number, row in enumerate(rows):
            if number % 20 == 19:
                await asyncio.sleep(0)  # let mails in flight be answered meanwhile
            if not plausible_address(row.email):
                invalid.append(Outcome(row, "failed", reason=f"invalid address: {row.email!r}"))
                continue
            try:
                subject, raw = self.renderer.render(
                    row, events.get(row.subject_id), zones.get(row.municipality_id)
                )
            except MissingFacts:
                waiting.append(row)
                continue
            ready.append((row, subject, raw))
        return ready, waiting, invalid

    async def send(self, ready: list[tuple[Any, str, bytes]]) -> list[Any]:
        """Send over every connection at once; returns the mails left unsent when the server
        became unavailable."""
        queue = list(reversed(ready))
        unavailable: list[str] = []

        async def work(connection: Connection) -> None:
            # Outcomes commit while the next mails are sent: at most UNRECORDED mails per
            # connection have been sent and not yet recorded at any moment.
            recording: list[asyncio.Future[None]] = []
            while queue and not unavailable and not self.stopping:
                row, subject, raw = queue.pop()
                await self.rate.wait()
                try:
                    await connection.send(self.renderer.sender_address, row.email, raw)
                    outcome = Outcome(row, "sent", subject=subject)
                except ServerUnavailable as error:
                    unavailable.append(str(error))
                    outcome = Outcome(row, "retry", reason=f"mail server unavailable: {error}")
                except aiosmtplib.SMTPException as error:
                    status, reason = _judge(error)
                    if status == "retry" and row.attempts + 1 >= MAX_ATTEMPTS:
                        status, reason = "failed", f"gave up after {MAX_ATTEMPTS} tries: {reason}"
                    outcome = Outcome(row, status, subject=subject, reason=reason)
                recording.append(asyncio.ensure_future(self.ledger.record(outcome)))
                if len(recording) >= UNRECORDED:
                    await recording.pop(0)
            for record in recording:
                await record

        await asyncio.gather(*(work(c) for c in self.connections))
        if unavailable:
            log.warning("mail server unavailable, will retry: %s", unavailable[0])
        return [row for row, _, _ in queue]

    async def next_batch(self) -> "Batch | None":
        """Claim and render the next batch; mails that cannot go yet are settled at once."""
        rows = await self.claim()
        if not rows:
            return None
        try:
            ready, waiting, invalid = await self.prepare(rows)
            await asyncio.gather(*(self.ledger.record(outcome) for outcome in invalid))
            await self.release(waiting, delay=timedelta(seconds=30))
        except BaseException:
            await asyncio.shield(self.release(rows))
            raise
        return Batch(rows, ready)

    async def deliver(self, batch: "Batch") -> None:
        try:
            unsent = await self.send(batch.ready)
            await self.release(unsent, delay=timedelta(0) if self.stopping else backoff(1))
            if unsent and not self.stopping:
                await asyncio.sleep(IDLE_SECONDS)
        except BaseException:
            await asyncio.shield(self.release(batch.rows))  # only those still claimed go back
            raise

    async def close(self) -> None:
        for connection in self.connections:
            await connection.close()


@dataclass
class Batch:
    rows: list[Any]  # all it claimed
    ready: list[tuple[Any, str, bytes]]  # row, subject, message


async def _unhurried(postman: Postman, batch: Batch) -> None:
    """A batch is not cut short by a stop: mails in flight finish and are recorded, the rest
    goes back for another process."""
    delivering = asyncio.ensure_future(postman.deliver(batch))
    try:
        await asyncio.shield(delivering)
    except asyncio.CancelledError:
        postman.stopping = True
        await delivering
        raise


async def _give_back(postman: Postman, upcoming: "asyncio.Future[Batch | None] | None") -> None:
    """A batch claimed ahead that will not be sent goes back."""
    if upcoming is None:
        return
    if not upcoming.done():
        upcoming.cancel()  # it gives its claim back itself
        with contextlib.suppress(BaseException):
            await upcoming
    elif not upcoming.cancelled() and upcoming.exception() is None and (batch := upcoming.result()):
        await postman.release(batch.rows)


async def deliver_pending(runtime: Runtime) -> None:
    """A background job of the notify service; processes share the work through SKIP LOCKED.
    While one batch goes out, the next is claimed and rendered, so connections never wait."""
    settings = runtime.settings
    assert isinstance(settings, NotifySettings)
    postman = Postman(runtime, settings)
    async with runtime.database.engine.connect() as lifeline:
        await postman.hold_key(lifeline)
        ledger = asyncio.create_task(postman.ledger.run(), name="delivery-ledger")
        orphans_checked = 0.0
        upcoming: asyncio.Future[Batch | None] | None = None
        try:
            while True:
                try:
                    if time.monotonic() - orphans_checked > ORPHAN_CHECK_SECONDS:
                        await postman.release_orphans()
                        orphans_checked = time.monotonic()
                    batch = await (upcoming or postman.next_batch())
                    upcoming = None
                    if batch is not None:
                        if len(batch.rows) == BATCH:
                            upcoming = asyncio.ensure_future(postman.next_batch())
                        await _unhurried(postman, batch)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("delivery round failed; trying again shortly")
                    await _give_back(postman, upcoming)
                    upcoming = None
                if upcoming is None:
                    await postman.close()
                    await asyncio.sleep(IDLE_SECONDS)
        finally:
            await asyncio.shield(_give_back(postman, upcoming))
            ledger.cancel()
            await postman.close()
