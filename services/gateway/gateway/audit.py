"""The audit log of forwarded writes: who did what, with what outcome.

Each forwarded write has its entry, committed before the caller is answered, so no entry is lost
once an answer was sent. The entries of requests answered at the same time are written
together, in one INSERT on a connection of the log's own (a group commit): under load, a unit
of work per request (pool checkout and ping, ORM flush, commit) cost the gateway about as much
as forwarding the request.
"""

import asyncio
import logging
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg

from kulturbro_runtime.db import Database

log = logging.getLogger(__name__)
COLUMNS = "at, account_id, role, municipality_id, method, path, status"
ROW = "(%s, %s, %s, %s, %s, %s, %s)"
Entry = tuple[datetime, UUID, str, str | None, str, str, int]  # as COLUMNS
# PostgreSQL takes at most 65,535 parameters a statement: 7 an entry.
MOST_AT_ONCE = 5_000


class AuditLog:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.connection: psycopg.AsyncConnection[Any] | None = None
        self.waiting: list[tuple[Entry, asyncio.Future[None]]] = []
        self.writer: asyncio.Task[None] | None = None

    async def record(self, entry: Entry) -> None:
        """Returns once the entry is committed; raises what the database raised."""
        written = asyncio.get_running_loop().create_future()
        self.waiting.append((entry, written))
        if self.writer is None or self.writer.done():
            # A task of its own: a request cancelled while it waits does not cancel the others'.
            self.writer = asyncio.create_task(self._write())
        await written

    async def _write(self) -> None:
        # Whatever arrived while a batch was being written is the next batch.
        while self.waiting:
            batch, self.waiting = self.waiting[:MOST_AT_ONCE], self.waiting[MOST_AT_ONCE:]
            try:
                await self._insert([entry for entry, _ in batch])
            except Exception as error:
                outcome: Exception | None = error
            else:
                outcome = None
            for _, written in batch:
                if written.done():  # its request was cancelled
                    continue
                if outcome is None:
                    written.set_result(None)
                else:
                    written.set_exception(outcome)

    async def _insert(self, entries: list[Entry]) -> None:
        if self.connection is None or self.connection.closed:
            self.connection = await self.database.raw_connection(autocommit=True)
        rows = ", ".join([ROW] * len(entries))
        try:
            # One statement, so all of the batch is committed or none.
            await self.connection.execute(
                f"insert into audit_entry ({COLUMNS}) values {rows}",  # type: ignore[arg-type]
                [value for entry in entries for value in entry],
            )
        except psycopg.OperationalError:
            await self.connection.close()  # broken: the next batch connects again
            raise

    async def aclose(self) -> None:
        if self.writer is not None:
            await asyncio.wait([self.writer], timeout=5)
        if self.connection is not None:
            await self.connection.close()
