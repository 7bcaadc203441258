"""One event's seats as the database holds them: loaded into the domain's Seating under a row
lock, and every decision written back, with the event that tells it, in the same transaction."""

import secrets
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.engine import RowMapping

from allocation.db import allocation_event, offer, seat_pool, seat_request
from allocation.domain import (
    Allocated,
    Basis,
    Decision,
    Occurrence,
    Received,
    Rejected,
    Seating,
    SeatRequest,
    TermHistory,
    Waitlisted,
    explain,
)
from allocation.domain.outreach import OfferState
from kulturbro_contracts import (
    BookingRejected,
    BookingWaitlisted,
    Event,
    SeatsAllocated,
    SeatsReleased,
)
from kulturbro_contracts.allocation import Allocation, Rejection, Release, Waitlisting
from kulturbro_contracts.vocabulary import BookingPolicy
from kulturbro_replicas import catalog, directory
from kulturbro_runtime import UnitOfWork


class Oversold(RuntimeError):
    """The database refused seats the Seating believed were free: never sent, rolled back."""


@dataclass
class Ledger:
    event_id: UUID
    municipality_id: str
    policy: BookingPolicy
    seed: int
    drawn: bool
    seating: Seating
    # What the seating was built from, kept so a draw's inputs can be stored for audit.
    occurrences: list[Occurrence]
    history: TermHistory
    district_pupils: dict[str, int] | None
    held_back: int = 0
    """Seats held out of the draw for outreach now, told to the groups the draw could not seat."""


def term_start(now: datetime) -> datetime:
    """Terms are half-years: spring from January, autumn from July."""
    return datetime(now.year, 1 if now.month < 7 else 7, 1, tzinfo=UTC)


def as_request(row: RowMapping) -> SeatRequest:
    return SeatRequest(
        booking_id=row["booking_id"],
        event_id=row["event_id"],
        group_id=row["group_id"],
        unit_id=row["unit_id"],
        district=row["district"],
        pupils=row["pupils"],
        adults=row["adults"],
        occurrence_ids=tuple(UUID(o) for o in row["occurrence_ids"]),
        requested_at=row["requested_at"],
    )


async def term_history(uow: UnitOfWork, municipality_id: str, event_id: UUID) -> TermHistory:
    """Seats each school and group received this term in other events, and their pupils."""
    session, since = uow.session, term_start(datetime.now(UTC))
    confirmed = (
        select(
            seat_request.c.unit_id,
            seat_request.c.group_id,
            (seat_request.c.pupils + seat_request.c.adults).label("seats"),
        )
        .join(
            catalog.occurrence, catalog.occurrence.c.occurrence_id == seat_request.c.occurrence_id
        )
        .where(
            seat_request.c.municipality_id == municipality_id,
            seat_request.c.event_id != event_id,
            seat_request.c.status == "confirmed",
            catalog.occurrence.c.starts_at >= since,
        )
    )
    seats_by_school: dict[UUID, int] = {}
    seats_by_group: dict[UUID, int] = {}
    for row in (await session.execute(confirmed)).mappings():
        seats_by_school[row["unit_id"]] = seats_by_school.get(row["unit_id"], 0) + row["seats"]
        seats_by_group[row["group_id"]] = seats_by_group.get(row["group_id"], 0) + row["seats"]
    groups = (
        await session.execute(
            select(
                directory.group.c.group_id, directory.group.c.unit_id, directory.group.c.size
            ).where(directory.group.c.municipality_id == municipality_id)
        )
    ).all()
    pupils_by_school: dict[UUID, int] = {}
    for group in groups:
        pupils_by_school[group.unit_id] = pupils_by_school.get(group.unit_id, 0) + group.size
    return TermHistory(
        schools={u: Received(seats_by_school.get(u, 0), p) for u, p in pupils_by_school.items()},
        groups={g.group_id: Received(seats_by_group.get(g.group_id, 0), g.size) for g in groups},
    )


async def district_pupils(uow: UnitOfWork, municipality_id: str, event_id: UUID) -> dict[str, int]:
    """Pupils of the event's target groups in each district: how its seats are first shared."""
    targets = await uow.session.scalar(
        select(catalog.event.c.target_groups).where(catalog.event.c.event_id == event_id)
    )
    rows = await uow.session.execute(
        select(directory.unit.c.district, func.sum(directory.group.c.size))
        .join(directory.unit, directory.unit.c.unit_id == directory.group.c.unit_id)
        .where(
            directory.group.c.municipality_id == municipality_id,
            directory.group.c.target_group.in_(targets or []),
        )
        .group_by(directory.unit.c.district)
    )
    return {str(district): int(pupils) for district, pupils in rows.all() if district}


async def held_for_open_offers(uow: UnitOfWork, event_id: UUID) -> dict[UUID, int]:
    """The seats still held at each occurrence: those of the offers not yet answered."""
    rows = await uow.session.execute(
        select(offer.c.occurrence_id, func.sum(offer.c.pupils + offer.c.adults))
        .where(offer.c.event_id == event_id, offer.c.state == OfferState.OPEN.value)
        .group_by(offer.c.occurrence_id)
    )
    return {occurrence_id: int(seats) for occurrence_id, seats in rows.all()}


@dataclass(frozen=True)
class _Kept:
    """A ledger as the transaction that last opened the event left it in this process."""

    event_row: dict[str, Any]  # with the token that transaction wrote
    ledger: Ledger
    kept_by: dict[object, object]  # that transaction's cache: emptied if its changes rolled back


_KEPT: OrderedDict[UUID, _Kept] = OrderedDict()
_KEPT_EVENTS = 64  # popular events at once, per process


async def open_ledger(uow: UnitOfWork, event_id: UUID) -> Ledger | None:
    """The event's seating with every decision so far, the event row locked until commit, so
    decisions for one event are made one at a time whichever process makes them. Within one
    transaction (a batch of messages) the seating is loaded once and kept up to date.

    Every opening writes a new token on the event row. The process keeps the ledger as the last
    opening here left it, and takes it up again, instead of reading every decision back, when
    the row still has that opening's token (it committed and nobody opened the event since) and
    the ledger's other inputs, read again, are what it was built from."""
    cache_key = ("ledger", event_id)
    cached = uow.cache.get(cache_key)
    if isinstance(cached, Ledger):
        return cached
    row = (
        (
            await uow.session.execute(
                select(allocation_event)
                .where(allocation_event.c.event_id == event_id)
                .with_for_update()
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    occurrences = [
        Occurrence(o["occurrence_id"], event_id, o["capacity"], o["starts_at"], o["cancelled"])
        for o in (
            await uow.session.execute(
                select(catalog.occurrence)
                .where(catalog.occurrence.c.event_id == event_id)
                .order_by(catalog.occurrence.c.occurrence_id)
            )
        ).mappings()
    ]
    policy = BookingPolicy(row["policy"])
    municipality = row["municipality_id"]
    quotas = (
        {event_id: await district_pupils(uow, municipality, event_id)}
        if policy is BookingPolicy.DISTRICT_QUOTAS
        else None
    )
    history = await term_history(uow, municipality, event_id)
    kept = _KEPT.pop(event_id, None)
    if (
        kept is not None
        and kept.event_row == dict(row)
        and kept.kept_by.get(cache_key) is kept.ledger
        and kept.ledger.occurrences == occurrences
        and kept.ledger.history == history
        and kept.ledger.district_pupils == (quotas[event_id] if quotas else None)
    ):
        ledger = kept.ledger
    else:
        ledger = await _load(uow, row, occurrences, history, quotas)
    token = secrets.randbits(63)
    await uow.session.execute(
        update(allocation_event)
        .where(allocation_event.c.event_id == event_id)
        .values(ledger_token=token)
    )
    _KEPT[event_id] = _Kept({**row, "ledger_token": token}, ledger, uow.cache)
    while len(_KEPT) > _KEPT_EVENTS:
        _KEPT.popitem(last=False)
    uow.cache[cache_key] = ledger
    if row["held_back_released_at"] is None and row["drawn_at"] is not None:  # offers: at a draw
        held = await held_for_open_offers(uow, event_id)
        ledger.seating.hold_back(held)
        ledger.held_back = sum(held.values())
    if row["released_at"] is not None:
        # Seats freed since the release went to waiting groups then; any that fit now, go now.
        for promotion in ledger.seating.release_quotas(event_id, at=datetime.now(UTC)):
            await record(uow, ledger, promotion)
    return ledger


async def _load(
    uow: UnitOfWork,
    row: RowMapping,
    occurrences: list[Occurrence],
    history: TermHistory,
    quotas: dict[UUID, dict[str, int]] | None,
) -> Ledger:
    """The ledger built again from every decision of the event kept so far."""
    event_id = row["event_id"]
    policy = BookingPolicy(row["policy"])
    seating = Seating(
        occurrences, policy, history=history, seed=row["seed"], district_pupils=quotas
    )
    decided = (
        (
            await uow.session.execute(
                select(seat_request)
                .where(
                    seat_request.c.event_id == event_id,
                    seat_request.c.status.in_(("confirmed", "waitlisted")),
                )
                .order_by(seat_request.c.requested_at, seat_request.c.booking_id)
            )
        )
        .mappings()
        .all()
    )
    seating.restore(
        [(as_request(r), r["occurrence_id"]) for r in decided if r["status"] == "confirmed"],
        [(as_request(r), Basis(r["basis"])) for r in decided if r["status"] == "waitlisted"],
    )
    return Ledger(
        event_id,
        row["municipality_id"],
        policy,
        row["seed"],
        row["drawn_at"] is not None,
        seating,
        occurrences,
        history,
        quotas[event_id] if quotas else None,
    )


async def record(uow: UnitOfWork, ledger: Ledger, decision: Decision) -> None:
    """Write one decision and publish the event that tells it."""
    await record_all(uow, ledger, [decision])


# Every decision writes the same columns, so a batch is one statement executed many times: a
# request decided had them all empty (pending), and a waiting group promoted has no reason.
_DECIDED = (
    update(seat_request)
    .where(seat_request.c.booking_id == bindparam("decided_booking_id"))
    .values(
        {
            column: bindparam(f"decided_{column}")
            for column in (
                "status",
                "occurrence_id",
                "position",
                "basis",
                "rank",
                "rank_of",
                "reason",
                "decided_at",
                "explanation",
            )
        }
    )
)


async def record_all(
    uow: UnitOfWork,
    ledger: Ledger,
    decisions: Sequence[Decision],
    causes: Sequence[Event | None] | None = None,
) -> None:
    """Write decisions of one event in their order and publish the events that tell them, in
    a few statements however many: the seats taken at each occurrence, the requests' rows, the
    outbox. `causes`: the message each decision answers, when no single message is being
    handled (a run of requests), so each event carries its own request's correlation."""
    if not decisions:
        return
    now = datetime.now(UTC)
    taken: dict[UUID, int] = {}
    rows: list[dict[str, Any]] = []
    facts: list[Event] = []
    for index, decision in enumerate(decisions):
        cause = causes[index] if causes else None
        row, fact = _decided(ledger, decision, now, cause)
        rows.append(row)
        facts.append(fact)
        if isinstance(decision, Allocated):
            taken[decision.occurrence_id] = taken.get(decision.occurrence_id, 0) + decision.seats
    for occurrence_id, seats in taken.items():
        await _take_seats(uow, occurrence_id, seats)
    connection = await uow.session.connection()
    await connection.execute(_DECIDED, rows)
    await uow.publish_all(facts)


def _decided(
    ledger: Ledger, decision: Decision, now: datetime, cause: Event | None
) -> tuple[dict[str, Any], Event]:
    """A decision's row values and the event that tells it."""
    request = decision.request
    explanation = explain(decision, held_back=ledger.held_back)
    row: dict[str, Any] = {
        "decided_booking_id": request.booking_id,
        "decided_occurrence_id": None,
        "decided_position": None,
        "decided_basis": None,
        "decided_rank": None,
        "decided_rank_of": None,
        "decided_reason": None,
        "decided_decided_at": now,
        "decided_explanation": {k.value: v for k, v in explanation.items()},
    }
    envelope: dict[str, Any] = {"municipality_id": ledger.municipality_id}
    if cause is not None:
        envelope |= {"correlation_id": cause.correlation_id, "causation_id": cause.event_id}
    base = {"booking_id": request.booking_id, "event_id": request.event_id}
    if isinstance(decision, Allocated | Waitlisted) and decision.ranking is not None:
        row |= {"decided_rank": decision.ranking.rank, "decided_rank_of": decision.ranking.of}
    if isinstance(decision, Allocated):
        row |= {
            "decided_status": "confirmed",
            "decided_occurrence_id": decision.occurrence_id,
            "decided_basis": decision.basis.value,
        }
        fact: Event = SeatsAllocated(
            **envelope,
            payload=Allocation(
                **base,
                occurrence_id=decision.occurrence_id,
                group_id=request.group_id,
                unit_id=request.unit_id,
                seats=decision.seats,
                explanation=explanation,
            ),
        )
    elif isinstance(decision, Waitlisted):
        row |= {
            "decided_status": "waitlisted",
            "decided_position": decision.position,
            "decided_basis": decision.basis.value,
        }
        fact = BookingWaitlisted(
            **envelope,
            payload=Waitlisting(**base, position=decision.position, explanation=explanation),
        )
    else:
        assert isinstance(decision, Rejected)
        row |= {"decided_status": "rejected", "decided_reason": decision.reason.value}
        fact = BookingRejected(
            **envelope,
            payload=Rejection(**base, reason=decision.reason.value, explanation=explanation),
        )
    return row, fact


async def release(uow: UnitOfWork, ledger: Ledger, booking: RowMapping, status: str) -> None:
    """Give a confirmed booking's seats back, and say so."""
    seats = booking["pupils"] + booking["adults"]
    await uow.session.execute(
        update(seat_pool)
        .where(seat_pool.c.occurrence_id == booking["occurrence_id"])
        .values(confirmed=seat_pool.c.confirmed - seats)
    )
    await uow.session.execute(
        update(seat_request)
        .where(seat_request.c.booking_id == booking["booking_id"])
        .values(status=status, decided_at=datetime.now(UTC))
    )
    await uow.publish(
        SeatsReleased(
            municipality_id=ledger.municipality_id,
            payload=Release(
                booking_id=booking["booking_id"],
                event_id=ledger.event_id,
                occurrence_id=booking["occurrence_id"],
                seats=seats,
            ),
        )
    )


async def _take_seats(uow: UnitOfWork, occurrence_id: UUID, seats: int) -> None:
    taken = await uow.session.execute(
        update(seat_pool)
        .where(
            and_(
                seat_pool.c.occurrence_id == occurrence_id,
                seat_pool.c.confirmed + seats <= seat_pool.c.capacity,
            )
        )
        .values(confirmed=seat_pool.c.confirmed + seats)
        .returning(seat_pool.c.confirmed)
    )
    if taken.first() is None:
        raise Oversold(f"occurrence {occurrence_id} has no {seats} seats left")
