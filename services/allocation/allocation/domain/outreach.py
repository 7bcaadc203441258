"""Outreach: seats held back from the draw and offered directly to groups no request reaches.

A share of each occurrence's seats is held for groups that have had no visit and made no request
this school year. They are offered group by group: schools that have had no visit at all first,
then those with the fewest seats per pupil, a seeded lottery deciding between equals. A group is
offered one occurrence it can attend, whole, and never more seats than are held there.
"""

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from uuid import UUID
from zoneinfo import ZoneInfo

from allocation.domain.history import Received
from allocation.domain.occurrence import Occurrence
from allocation.domain.priority import Tally, lottery_ticket
from kulturbro_contracts.school_year import first_day_of_school_year
from kulturbro_contracts.vocabulary import TargetGroup


class OfferState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    """Not accepted by the release date: its seats went to the waiting list."""
    WITHDRAWN = "withdrawn"
    """Its occurrence was cancelled, or its group booked the event another way."""


def school_year_start(now: datetime) -> datetime:
    """Where 'a visit this school year' counts from (the school year every service uses)."""
    return datetime.combine(first_day_of_school_year(now.date()), time(0), tzinfo=UTC)


def held_back_seats(capacity: int, share: int) -> int:
    """The seats of an occurrence held for outreach: its share in percent, rounded down."""
    return capacity * share // 100


@dataclass(frozen=True, slots=True)
class ReachGroup:
    """A group of the municipality as outreach sees it: who it is, and what it has had."""

    group_id: UUID
    unit_id: UUID
    target_group: TargetGroup
    pupils: int
    visited: bool
    """It has had seats at some event this school year."""
    requested: bool
    """It has asked for seats at some event this school year, whatever came of it."""


@dataclass(frozen=True, slots=True)
class Offered:
    """Held-back seats at one occurrence offered to one whole group."""

    group_id: UUID
    unit_id: UUID
    occurrence_id: UUID
    pupils: int
    adults: int
    school_had_visit: bool
    """False: the group's school had had no visit this school year when it was offered."""

    @property
    def seats(self) -> int:
        return self.pupils + self.adults


def eligible(group: ReachGroup, targets: frozenset[TargetGroup]) -> bool:
    return (
        group.target_group in targets
        and not group.visited
        and not group.requested
        and group.pupils > 0
    )


def can_attend(occurrence: Occurrence, event_id: UUID, deadline: datetime) -> bool:
    """An offer is accepted at the latest at its deadline, so the occurrence must start after."""
    return (
        occurrence.event_id == event_id
        and not occurrence.cancelled
        and occurrence.starts_at > deadline
    )


def choose_offers(
    event_id: UUID,
    held: Mapping[UUID, int],
    occurrences: Iterable[Occurrence],
    groups: Iterable[ReachGroup],
    schools: Mapping[UUID, Received],
    *,
    targets: Iterable[TargetGroup],
    adults_per_group: int,
    deadline: datetime,
    seed: int,
) -> list[Offered]:
    """Which groups get the held seats (`held`: per occurrence) and where, in the order chosen.

    `schools` is what each school has received this school year (seats, pupils); a school
    missing there has had nothing. Each offer counts against its school as if accepted, so the
    next turn goes to the school now worst off. A group that fits nowhere is passed over."""
    attendable = sorted(
        (o for o in occurrences if held.get(o.id, 0) > 0 and can_attend(o, event_id, deadline)),
        key=lambda o: (o.starts_at, o.id.int),
    )
    left = {o.id: held[o.id] for o in attendable}
    wanted = frozenset(targets)
    tallies: dict[UUID, Tally] = {}
    turns: list[tuple[tuple[bool, float, int, int], ReachGroup]] = []

    def order(group: ReachGroup) -> tuple[bool, float, int, int]:
        school = tallies[group.unit_id]
        ticket = lottery_ticket(seed, group.group_id)
        return (school.seats > 0, school.per_pupil(), ticket, group.group_id.int)

    for group in sorted(groups, key=lambda g: g.group_id.int):
        if not eligible(group, wanted):
            continue
        if group.unit_id not in tallies:
            had = schools.get(group.unit_id, Received(0, 0))
            tallies[group.unit_id] = Tally(had.seats, max(had.pupils, group.pupils))
        turns.append((order(group), group))
    heapq.heapify(turns)
    offers: list[Offered] = []
    while turns and any(left.values()):
        key, group = heapq.heappop(turns)
        if (now := order(group)) != key:
            # Its school was offered seats since this key was taken: it waits its new turn.
            heapq.heappush(turns, (now, group))
            continue
        seats = group.pupils + adults_per_group
        fitting = [o for o in attendable if left[o.id] >= seats]
        if not fitting:
            continue
        # The tightest fit first, so larger groups still find room later; then the earliest.
        occurrence = min(fitting, key=lambda o: left[o.id])
        left[occurrence.id] -= seats
        school = tallies[group.unit_id]
        offers.append(
            Offered(
                group.group_id,
                group.unit_id,
                occurrence.id,
                group.pupils,
                adults_per_group,
                school_had_visit=school.seats > 0,
            )
        )
        school.seats += seats
    return offers


def offered_seats(offers: Iterable[Offered]) -> dict[UUID, int]:
    """The held seats the offers take at each occurrence: what stays held until release."""
    taken: dict[UUID, int] = {}
    for offer in offers:
        taken[offer.occurrence_id] = taken.get(offer.occurrence_id, 0) + offer.seats
    return taken


def release_instant(release_on: date, time_zone: str) -> datetime:
    """The release day's first moment where the municipality is: the offers' deadline."""
    local = datetime(release_on.year, release_on.month, release_on.day, tzinfo=ZoneInfo(time_zone))
    return local.astimezone(UTC)
