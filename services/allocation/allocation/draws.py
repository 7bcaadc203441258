"""Draws: when a request window closes, its requests are decided together, fairly, once."""

import asyncio
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from prometheus_client import Counter, Gauge
from sqlalchemy import select, update

from allocation.db import allocation_event, draw, seat_request
from allocation.domain import Allocated, Decision, Rejected, Waitlisted
from allocation.ledger import Ledger, as_request, open_ledger, record
from allocation.outreach import (
    hold_for_offers,
    make_offers,
    release_held_back,
    release_moment,
)
from kulturbro_contracts.catalog import HELD_BACK_RELEASE_AFTER, QUOTA_RELEASE_AFTER
from kulturbro_contracts.vocabulary import BookingPolicy
from kulturbro_replicas import catalog
from kulturbro_replicas.municipalities import municipality
from kulturbro_runtime import UnitOfWork
from kulturbro_runtime.localization import DEFAULT_TIME_ZONE
from kulturbro_runtime.runtime import Runtime

log = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 2.0


class Due(StrEnum):
    """What the draw job does for an event whose time has come."""

    DRAW = "draw"
    QUOTA_RELEASE = "quota_release"
    """District quotas give way: what districts have not used is free for all."""
    HELD_BACK_RELEASE = "held_back_release"
    """Held-back seats give way: open offers expire, what is left goes to the waiting list."""


draws_run = Counter("kulturbro_draws_total", "draws run when a request window closed")
draw_overdue = Gauge(
    "kulturbro_draw_overdue_seconds",
    "how long the longest-waiting closed request window has waited for its draw (0: none)",
)


def record_overdue(undrawn_closed_at: Iterable[datetime], now: datetime) -> float:
    """Tell /metrics how long the oldest closed, undrawn window has waited: a draw normally
    follows its window within CHECK_EVERY_SECONDS, so a large value is a draw that did not run."""
    waited = max(((now - closed).total_seconds() for closed in undrawn_closed_at), default=0.0)
    draw_overdue.set(waited)
    return waited


def _summary(decision: Decision) -> dict[str, Any]:
    summary: dict[str, Any] = {"booking_id": str(decision.request.booking_id)}
    if isinstance(decision, Allocated):
        summary |= {
            "allocated": str(decision.occurrence_id),
            "rank": decision.ranking and decision.ranking.rank,
        }
    elif isinstance(decision, Waitlisted):
        summary |= {
            "waitlisted": decision.position,
            "rank": decision.ranking and decision.ranking.rank,
        }
    else:
        summary |= {"rejected": decision.reason.value}
    adjustment = None if isinstance(decision, Rejected) else decision.adjustment
    if adjustment is not None:
        # How lifting the worst-off schools changed what the draw had decided.
        summary |= {"adjusted": adjustment.change.value, "drawn_choice": adjustment.drawn_choice}
    return summary


async def run_draw(uow: UnitOfWork, ledger: Ledger) -> int:
    """Decide every pending request of the event together; returns how many were decided."""
    pending = (
        (
            await uow.session.execute(
                select(seat_request)
                .where(
                    seat_request.c.event_id == ledger.event_id, seat_request.c.status == "pending"
                )
                .order_by(seat_request.c.booking_id)
            )
        )
        .mappings()
        .all()
    )
    requests = [as_request(row) for row in pending]
    now = datetime.now(UTC)
    outreach = await hold_for_offers(uow, ledger, now)
    decisions = ledger.seating.draw(requests)
    ledger.drawn = True
    for decision in decisions:
        await record(uow, ledger, decision)
    if outreach is not None:
        await make_offers(uow, ledger, outreach, now)
    await uow.session.execute(
        update(allocation_event)
        .where(allocation_event.c.event_id == ledger.event_id)
        .values(drawn_at=now)
    )
    # What a later audit needs to draw again and get the same result.
    inputs = {
        "policy": ledger.policy.value,
        "occurrences": [
            {
                "id": str(o.id),
                "capacity": o.capacity,
                "starts_at": o.starts_at.isoformat(),
                "cancelled": o.cancelled,
            }
            for o in ledger.occurrences
        ],
        "history": {
            "schools": {str(k): [v.seats, v.pupils] for k, v in ledger.history.schools.items()},
            "groups": {str(k): [v.seats, v.pupils] for k, v in ledger.history.groups.items()},
        },
        "district_pupils": ledger.district_pupils,
        "held_back": {str(o.id): ledger.seating.held_back(o.id) for o in ledger.occurrences},
        "requests": [
            {
                "booking_id": str(r.booking_id),
                "group_id": str(r.group_id),
                "unit_id": str(r.unit_id),
                "district": r.district,
                "pupils": r.pupils,
                "adults": r.adults,
                "occurrence_ids": [str(o) for o in r.occurrence_ids],
                "requested_at": r.requested_at.isoformat(),
            }
            for r in requests
        ],
    }
    await uow.session.execute(
        draw.insert().values(
            event_id=ledger.event_id,
            seed=ledger.seed,
            inputs=inputs,
            decisions=[_summary(d) for d in decisions],
            drawn_at=now,
        )
    )
    return len(decisions)


async def _due(runtime: Runtime) -> list[tuple[UUID, Due]]:
    """Events whose window has closed and not been drawn, and those due for a release."""
    now = datetime.now(UTC)
    async with runtime.database.sessions() as session:
        rows = await session.execute(
            select(
                allocation_event.c.event_id,
                allocation_event.c.drawn_at,
                allocation_event.c.policy,
                allocation_event.c.released_at,
                allocation_event.c.quota_release_on,
                allocation_event.c.held_back_share,
                allocation_event.c.held_back_release_on,
                allocation_event.c.held_back_released_at,
                catalog.event.c.booking_closes_at,
                municipality.c.time_zone,
            )
            .join(catalog.event, catalog.event.c.event_id == allocation_event.c.event_id)
            .outerjoin(
                municipality,
                municipality.c.municipality_id == allocation_event.c.municipality_id,
            )
            .where(
                allocation_event.c.policy != BookingPolicy.INSTANT.value,
                catalog.event.c.booking_closes_at <= now,
            )
        )
        due, undrawn_closed_at = [], []
        for row in rows:
            zone = row.time_zone or DEFAULT_TIME_ZONE
            if row.drawn_at is None:
                due.append((row.event_id, Due.DRAW))
                undrawn_closed_at.append(row.booking_closes_at)
                continue
            if (
                row.policy == BookingPolicy.DISTRICT_QUOTAS.value
                and row.released_at is None
                and release_moment(
                    row.booking_closes_at, row.quota_release_on, QUOTA_RELEASE_AFTER, zone
                )
                <= now
            ):
                due.append((row.event_id, Due.QUOTA_RELEASE))
            if (
                row.held_back_share
                and row.held_back_released_at is None
                and release_moment(
                    row.booking_closes_at, row.held_back_release_on, HELD_BACK_RELEASE_AFTER, zone
                )
                <= now
            ):
                due.append((row.event_id, Due.HELD_BACK_RELEASE))
        record_overdue(undrawn_closed_at, now)
        return due


async def draw_when_windows_close(runtime: Runtime) -> None:
    """A background job of the allocation service: every replica may run it; the event row lock
    and the drawn and released marks make each draw and release happen once."""
    while True:
        try:
            for event_id, due in await _due(runtime):
                drew = False
                async with runtime.unit_of_work() as uow:
                    ledger = await open_ledger(uow, event_id)
                    if ledger is None:
                        continue
                    if due is Due.DRAW and not ledger.drawn:
                        decided = await run_draw(uow, ledger)
                        log.info("drew %d requests for event %s", decided, event_id)
                        drew = True
                    elif due is Due.QUOTA_RELEASE and not await _released(uow, event_id):
                        await release_quotas(uow, ledger)
                    elif due is Due.HELD_BACK_RELEASE and not await _held_released(uow, event_id):
                        await release_held_back(uow, ledger, datetime.now(UTC))
                if drew:  # counted once committed
                    draws_run.inc()
        except Exception:
            log.exception("the draw job failed; trying again shortly")
        await asyncio.sleep(CHECK_EVERY_SECONDS)


async def _released(uow: UnitOfWork, event_id: UUID) -> bool:
    """Under the event's row lock: whether another replica released the quotas meanwhile."""
    return (
        await uow.session.scalar(
            select(allocation_event.c.released_at).where(allocation_event.c.event_id == event_id)
        )
    ) is not None


async def _held_released(uow: UnitOfWork, event_id: UUID) -> bool:
    return (
        await uow.session.scalar(
            select(allocation_event.c.held_back_released_at).where(
                allocation_event.c.event_id == event_id
            )
        )
    ) is not None


async def release_quotas(uow: UnitOfWork, ledger: Ledger) -> None:
    now = datetime.now(UTC)
    for promotion in ledger.seating.release_quotas(ledger.event_id, at=now):
        await record(uow, ledger, promotion)
    await uow.session.execute(
        update(allocation_event)
        .where(allocation_event.c.event_id == ledger.event_id)
        .values(released_at=now)
    )
