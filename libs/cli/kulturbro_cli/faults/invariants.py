"""What must hold after any fault, checked on what the stack holds and what went over the wire.

Pure: each check takes plain facts and returns the violations it finds, in words."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from uuid import UUID

DECISIONS = ("SeatsAllocated", "BookingWaitlisted", "BookingRejected")


@dataclass(frozen=True)
class Seating:
    """Seats one confirmed request holds on an occurrence."""

    occurrence_id: UUID
    seats: int


@dataclass(frozen=True)
class Decision:
    """A decision as the allocation published it on the bus."""

    booking_id: UUID
    event_id: UUID  # the envelope's: a redelivered copy has the same one


@dataclass(frozen=True)
class Mail:
    """A mail as the SMTP server took it."""

    message_id: str
    recipient: str
    subject: str  # names the kind of mail and the event: one message, as a teacher sees it


@dataclass
class Facts:
    """Everything the checks look at, gathered once after the stack caught up."""

    capacities: Mapping[UUID, int] = field(default_factory=dict)
    seated: list[Seating] = field(default_factory=list)
    accepted: set[UUID] = field(default_factory=set)
    decisions: list[Decision] = field(default_factory=list)
    mails: list[Mail] = field(default_factory=list)
    sent_deliveries: int = 0  # rows the delivery log marked sent
    unsent_deliveries: int = 0  # rows still pending or failed
    invited: Mapping[UUID, set[str]] = field(default_factory=dict)  # event -> addresses
    targeted: set[str] = field(default_factory=set)
    unpublished: Mapping[str, int] = field(default_factory=dict)  # per outbox
    outbox_events: Mapping[str, set[UUID]] = field(default_factory=dict)  # per outbox
    bus_events: set[UUID] = field(default_factory=set)
    dead_letters: list[bytes] = field(default_factory=list)
    poison: set[bytes] = field(default_factory=set)


def oversold(capacities: Mapping[UUID, int], seated: Iterable[Seating]) -> list[str]:
    taken: Counter[UUID] = Counter()
    for seating in seated:
        taken[seating.occurrence_id] += seating.seats
    return [
        f"occurrence {occurrence} oversold: {seats} seats of {capacities.get(occurrence, 0)}"
        for occurrence, seats in sorted(taken.items())
        if seats > capacities.get(occurrence, 0)
    ]


def not_decided_once(accepted: set[UUID], decisions: Iterable[Decision]) -> list[str]:
    made: defaultdict[UUID, set[UUID]] = defaultdict(set)
    for decision in decisions:
        made[decision.booking_id].add(decision.event_id)
    problems = []
    for booking in sorted(accepted):
        count = len(made.get(booking, ()))
        if count != 1:
            problems.append(f"booking {booking} decided {count} times")
    problems += [f"booking {b} decided but never accepted" for b in sorted(made.keys() - accepted)]
    return problems


def doubled_mails(mails: Iterable[Mail]) -> int:
    """Mails a teacher got more than once: the same subject to the same address, whether sent
    again with its Message-ID or made twice with a new one."""
    counts = Counter((mail.recipient, mail.subject) for mail in mails)
    return sum(count - 1 for count in counts.values())


def mail_problems(facts: Facts, doubles_allowed: int) -> list[str]:
    problems = []
    doubled = doubled_mails(facts.mails)
    if doubled > doubles_allowed:
        problems.append(f"{doubled} mails sent twice (allowed: {doubles_allowed})")
    distinct = len({(mail.message_id, mail.recipient) for mail in facts.mails})
    if distinct < facts.sent_deliveries:
        problems.append(
            f"{facts.sent_deliveries - distinct} mails marked sent never reached the server"
        )
    if facts.unsent_deliveries:
        problems.append(f"{facts.unsent_deliveries} mails never sent")
    for event, addresses in sorted(facts.invited.items()):
        if missing := facts.targeted - addresses:
            problems.append(f"{len(missing)} teachers never invited to event {event}")
        if extra := addresses - facts.targeted:
            problems.append(f"{len(extra)} invitations to event {event} to untargeted addresses")
    return problems


def outbox_problems(
    unpublished: Mapping[str, int], outbox_events: Mapping[str, set[UUID]], bus_events: set[UUID]
) -> list[str]:
    problems = [f"{n} events still in {name}'s outbox" for name, n in unpublished.items() if n]
    for name, events in sorted(outbox_events.items()):
        if lost := events - bus_events:
            problems.append(f"{len(lost)} events from {name}'s outbox never reached the bus")
    return problems


def dead_letter_problems(dead_letters: Iterable[bytes], poison: set[bytes]) -> list[str]:
    dead = list(dead_letters)
    problems = [f"dead-lettered: {value[:80]!r}" for value in dead if value not in poison]
    if missing := poison - set(dead):
        problems.append(f"{len(missing)} poison messages were not dead-lettered")
    return problems


def violations(facts: Facts, doubles_allowed: int) -> list[str]:
    """Everything wrong, in words; empty when nothing is."""
    return [
        *oversold(facts.capacities, facts.seated),
        *not_decided_once(facts.accepted, facts.decisions),
        *mail_problems(facts, doubles_allowed),
        *outbox_problems(facts.unpublished, facts.outbox_events, facts.bus_events),
        *dead_letter_problems(facts.dead_letters, facts.poison),
    ]
