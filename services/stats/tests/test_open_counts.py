"""The open indicators' counts are recomputed only for the municipalities whose facts changed."""

from datetime import UTC, datetime

from stats.domain.facts import Facts
from stats.handlers import project
from stats.open_counts import Kept, refresh

from . import lillby
from .fakes import FakeProjections

EARLIER, LATER = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)


class CountingReader:
    """The reader's two calls refresh makes, over the fake projections; counts what is read."""

    def __init__(self, projections: FakeProjections, freshness: dict[str, datetime]) -> None:
        self.projections, self.fresh = projections, freshness
        self.read: list[str] = []

    async def freshness(self) -> dict[str, datetime]:
        return dict(self.fresh)

    async def facts_of(self, municipality_ids: list[str]) -> dict[str, Facts]:
        self.read += municipality_ids
        return {m: self.projections.facts(m) for m in municipality_ids}


async def test_only_a_municipality_with_newer_facts_is_computed_again() -> None:
    projections = FakeProjections()
    for event in lillby.events():
        await project(event, projections, lillby.NOW)
    reader = CountingReader(projections, {"lillby": EARLIER, "tomby": EARLIER})
    kept: Kept = {}
    await refresh(reader, kept, ["lillby", "tomby"], lillby.SCHOOL_YEAR, lillby.NOW)
    assert reader.read == ["lillby", "tomby"]
    assert kept["lillby", lillby.SCHOOL_YEAR][1].pupils == 120
    assert kept["tomby", lillby.SCHOOL_YEAR][1].pupils == 0

    await refresh(reader, kept, ["lillby", "tomby"], lillby.SCHOOL_YEAR, lillby.NOW)
    assert reader.read == ["lillby", "tomby"]  # nothing newer: nothing read

    reader.fresh["tomby"] = LATER
    await refresh(reader, kept, ["lillby", "tomby"], lillby.SCHOOL_YEAR, lillby.NOW)
    assert reader.read == ["lillby", "tomby", "tomby"]
    assert kept["tomby", lillby.SCHOOL_YEAR][0] == LATER
