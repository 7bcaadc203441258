"""The audit log writes the entries of requests answered at once together, and a request is
answered only once its own entry is committed, or is told it was not."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from gateway.audit import AuditLog, Entry


class SlowDatabase(AuditLog):
    """Each INSERT takes a moment, as a round trip does; a batch with a path 'fails' fails."""

    def __init__(self) -> None:
        super().__init__(database=None)  # type: ignore[arg-type]
        self.batches: list[list[str]] = []
        self.committed: list[str] = []

    async def _insert(self, entries: list[Entry]) -> None:
        self.batches.append([entry[5] for entry in entries])
        await asyncio.sleep(0.01)
        if any(entry[5] == "fails" for entry in entries):
            raise OSError("the database went away")
        self.committed += [entry[5] for entry in entries]


def _entry(path: str) -> Entry:
    return (datetime.now(UTC), uuid.uuid4(), "teacher", "lund", "POST", path, 201)


@pytest.mark.asyncio
async def test_entries_of_requests_at_once_are_written_together_each_awaited() -> None:
    log = SlowDatabase()

    async def request(path: str) -> str:
        await log.record(_entry(path))
        assert path in log.committed, "answered before its entry was committed"
        return path

    first = asyncio.create_task(request("/a"))
    await asyncio.sleep(0)  # the first batch is being written...
    answered = await asyncio.gather(first, *(request(f"/{n}") for n in range(5)))
    assert answered == ["/a", "/0", "/1", "/2", "/3", "/4"]
    assert log.batches == [["/a"], ["/0", "/1", "/2", "/3", "/4"]], "...the others wait for one"


@pytest.mark.asyncio
async def test_a_failed_batch_fails_its_requests_and_the_next_batch_is_written() -> None:
    log = SlowDatabase()
    failed = asyncio.gather(log.record(_entry("fails")), log.record(_entry("/x")))
    with pytest.raises(OSError):
        await failed
    await log.record(_entry("/y"))
    assert log.committed == ["/y"]


@pytest.mark.asyncio
async def test_no_batch_holds_more_entries_than_one_statement_takes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("gateway.audit.MOST_AT_ONCE", 2)
    log = SlowDatabase()
    first = asyncio.create_task(log.record(_entry("/a")))
    await asyncio.sleep(0)
    await asyncio.gather(first, *(log.record(_entry(f"/{n}")) for n in range(5)))
    assert log.batches == [["/a"], ["/0", "/1"], ["/2", "/3"], ["/4"]]
