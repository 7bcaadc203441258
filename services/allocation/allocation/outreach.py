"""Outreach in the allocation service: seats held back at the draw and offered to the groups no
request reaches, an accepted offer seated at once from them, and on the release day what is
left goes to the waiting list and the open offers expire."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import exists, func, select, update
from sqlalchemy.engine import RowMapping

from allocation.db import allocation_event, offer, seat_request
from allocation.domain import Received
from allocation.domain.explanations import explain_offer, explain_offer_end
from allocation.domain.outreach import (
    Offered,
    OfferState,
    ReachGroup,
    choose_offers,
    held_back_seats,
    offered_seats,
    release_instant,
    school_year_start,
)
from allocation.ledger import Ledger, as_request, record
from kulturbro_contracts import OfferExpired, SeatsOffered
from kulturbro_contracts.allocation import Offer, OfferEnd, OfferExpiry
from kulturbro_contracts.catalog import HELD_BACK_RELEASE_AFTER
from kulturbro_contracts.vocabulary import TargetGroup
from kulturbro_replicas import catalog, directory
from kulturbro_replicas.municipalities import locale_of
from kulturbro_runtime import UnitOfWork

_END = {OfferState.EXPIRED: OfferEnd.RELEASED, OfferState.WITHDRAWN: OfferEnd.WITHDRAWN}


def release_moment(
    closes_at: datetime, release_on: date | None, default_hold: timedelta, time_zone: str
) -> datetime:
    """When held seats (or quotas) give way: the first moment of the day the office set, where
    the municipality is, or the default hold after the window closes."""
    if release_on is None:
        return closes_at + default_hold
    return release_instant(release_on, time_zone)


@dataclass(frozen=True)
class OutreachPlan:
    offers: list[Offered]
    deadline: datetime


async def _event_settings(uow: UnitOfWork, event_id: UUID) -> RowMapping | None:
    return (
        (
            await uow.session.execute(
                select(
                    allocation_event.c.held_back_share,
                    allocation_event.c.held_back_release_on,
                    catalog.event.c.booking_closes_at,
                    catalog.event.c.target_groups,
                    catalog.event.c.adults_per_group,
                )
                .join(catalog.event, catalog.event.c.event_id == allocation_event.c.event_id)
                .where(allocation_event.c.event_id == event_id)
            )
        )
        .mappings()
        .first()
    )


async def reach_groups(
    uow: UnitOfWork, municipality_id: str, targets: Sequence[str], since: datetime
) -> list[ReachGroup]:
    """The municipality's groups of the event's ages that have a teacher to tell, with whether
    each has had a visit, or asked for one, this school year."""
    visited = exists().where(
        seat_request.c.group_id == directory.group.c.group_id,
        seat_request.c.status == "confirmed",
        catalog.occurrence.c.occurrence_id == seat_request.c.occurrence_id,
        catalog.occurrence.c.starts_at >= since,
    )
    requested = exists().where(
        seat_request.c.group_id == directory.group.c.group_id,
        seat_request.c.requested_at >= since,
    )
    taught = exists().where(directory.teacher_group.c.group_id == directory.group.c.group_id)
    rows = await uow.session.execute(
        select(
            directory.group.c.group_id,
            directory.group.c.unit_id,
            directory.group.c.target_group,
            directory.group.c.size,
            visited.label("visited"),
            requested.label("requested"),
        ).where(
            directory.group.c.municipality_id == municipality_id,
            directory.group.c.target_group.in_(list(targets)),
            taught,
        )
    )
    return [
        ReachGroup(
            row.group_id,
            row.unit_id,
            TargetGroup(row.target_group),
            row.size,
            visited=row.visited,
            requested=row.requested,
        )
        for row in rows
    ]


async def school_year_received(
    uow: UnitOfWork, municipality_id: str, since: datetime
) -> dict[UUID, Received]:
    """Seats each school has had this school year, and its pupils."""
    seats = dict(
        (
            await uow.session.execute(
                select(
                    seat_request.c.unit_id,
                    func.sum(seat_request.c.pupils + seat_request.c.adults),
                )
                .join(
                    catalog.occurrence,
                    catalog.occurrence.c.occurrence_id == seat_request.c.occurrence_id,
                )
                .where(
                    seat_request.c.municipality_id == municipality_id,
                    seat_request.c.status == "confirmed",
                    catalog.occurrence.c.starts_at >= since,
                )
                .group_by(seat_request.c.unit_id)
            )
        ).all()
    )
    pupils = (
        await uow.session.execute(
            select(directory.group.c.unit_id, func.sum(directory.group.c.size))
            .where(directory.group.c.municipality_id == municipality_id)
            .group_by(directory.group.c.unit_id)
        )
    ).all()
    return {unit: Received(int(seats.get(unit, 0)), int(count)) for unit, count in pupils}


async def hold_for_offers(uow: UnitOfWork, ledger: Ledger, now: datetime) -> OutreachPlan | None:
    """Before a draw: choose the groups to offer held-back seats, and hold exactly the seats the
    offers take out of the draw. None when nothing is held (no share, no one to offer)."""
    settings = await _event_settings(uow, ledger.event_id)
    if settings is None or not settings["held_back_share"] or settings["booking_closes_at"] is None:
        return None
    locale = await locale_of(uow.session, ledger.municipality_id)
    deadline = release_moment(
        settings["booking_closes_at"],
        settings["held_back_release_on"],
        HELD_BACK_RELEASE_AFTER,
        locale.time_zone,
    )
    if deadline <= now:
        return None
    since = school_year_start(now)
    share = settings["held_back_share"]
    offers = choose_offers(
        ledger.event_id,
        {o.id: held_back_seats(o.capacity, share) for o in ledger.occurrences},
        ledger.occurrences,
        await reach_groups(uow, ledger.municipality_id, settings["target_groups"], since),
        await school_year_received(uow, ledger.municipality_id, since),
        targets=[TargetGroup(t) for t in settings["target_groups"]],
        adults_per_group=settings["adults_per_group"],
        deadline=deadline,
        seed=ledger.seed,
    )
    if not offers:
        return None
    held = offered_seats(offers)
    ledger.seating.hold_back(held)
    ledger.held_back = sum(held.values())
    return OutreachPlan(offers, deadline)


async def make_offers(uow: UnitOfWork, ledger: Ledger, plan: OutreachPlan, now: datetime) -> None:
    """After the draw: each offer stored and told, so its group's teachers hear of it."""
    for chosen in plan.offers:
        offer_id = uuid4()
        said = explain_offer(chosen)
        values: dict[str, Any] = {
            "offer_id": offer_id,
            "event_id": ledger.event_id,
            "occurrence_id": chosen.occurrence_id,
            "group_id": chosen.group_id,
            "unit_id": chosen.unit_id,
            "pupils": chosen.pupils,
            "adults": chosen.adults,
            "deadline": plan.deadline,
        }
        await uow.session.execute(
            offer.insert().values(
                **values,
                municipality_id=ledger.municipality_id,
                state=OfferState.OPEN.value,
                offered_at=now,
            )
        )
        await uow.publish(
            SeatsOffered(
                municipality_id=ledger.municipality_id,
                payload=Offer(**values, seats=chosen.seats, explanation=said),
            )
        )


async def _open_offer(uow: UnitOfWork, event_id: UUID, group_id: UUID) -> RowMapping | None:
    return (
        (
            await uow.session.execute(
                select(offer)
                .where(
                    offer.c.event_id == event_id,
                    offer.c.group_id == group_id,
                    offer.c.state == OfferState.OPEN.value,
                )
                .with_for_update()
            )
        )
        .mappings()
        .first()
    )


async def groups_with_open_offers(uow: UnitOfWork, event_id: UUID) -> set[UUID]:
    """The groups that hold an open offer of the event's seats (offers are made at the draw)."""
    return set(
        await uow.session.scalars(
            select(offer.c.group_id).where(
                offer.c.event_id == event_id, offer.c.state == OfferState.OPEN.value
            )
        )
    )


async def decide_with_offer(
    uow: UnitOfWork, ledger: Ledger, row: RowMapping, offer_id: UUID | None, sent_at: datetime
) -> None:
    """A request after the draw. Accepting the group's open offer before its deadline seats it
    at once from the held seats; any other request of a group with an open offer withdraws the
    offer (its seats go to the waiting list) and is decided as requests after the draw are."""
    open_offer = await _open_offer(uow, ledger.event_id, row["group_id"])
    request = as_request(row)
    if (
        open_offer is not None
        and open_offer["offer_id"] == offer_id
        and sent_at < open_offer["deadline"]
    ):
        await record(uow, ledger, ledger.seating.accept_offer(request, open_offer["occurrence_id"]))
        await uow.session.execute(
            update(offer)
            .where(offer.c.offer_id == offer_id)
            .values(state=OfferState.ACCEPTED.value, booking_id=request.booking_id)
        )
        return
    if open_offer is not None:
        late = open_offer["offer_id"] == offer_id
        state = OfferState.EXPIRED if late else OfferState.WITHDRAWN
        await end_offer(uow, ledger, open_offer, state, sent_at)
    await record(uow, ledger, ledger.seating.request(request))


async def end_offer(
    uow: UnitOfWork, ledger: Ledger, ended: RowMapping, state: OfferState, now: datetime
) -> None:
    """An open offer can no longer be accepted: its seats go to the groups waiting, and its
    group's teachers are told why."""
    await uow.session.execute(
        update(offer).where(offer.c.offer_id == ended["offer_id"]).values(state=state.value)
    )
    seats = ended["pupils"] + ended["adults"]
    for promotion in ledger.seating.give_back_held(ended["occurrence_id"], seats, at=now):
        await record(uow, ledger, promotion)
    await uow.publish(
        OfferExpired(
            municipality_id=ledger.municipality_id,
            payload=OfferExpiry(
                offer_id=ended["offer_id"],
                event_id=ledger.event_id,
                group_id=ended["group_id"],
                reason=_END[state],
                explanation=explain_offer_end(state),
            ),
        )
    )


async def withdraw_offers_on(uow: UnitOfWork, ledger: Ledger, cancelled: set[UUID]) -> None:
    """Offers at cancelled occurrences are withdrawn."""
    rows = await uow.session.execute(
        select(offer)
        .where(
            offer.c.event_id == ledger.event_id,
            offer.c.state == OfferState.OPEN.value,
            offer.c.occurrence_id.in_(cancelled),
        )
        .with_for_update()
    )
    for withdrawn in rows.mappings().all():
        await end_offer(uow, ledger, withdrawn, OfferState.WITHDRAWN, datetime.now(UTC))


async def release_held_back(uow: UnitOfWork, ledger: Ledger, now: datetime) -> None:
    """The release day: open offers expire, and every held seat left goes to the groups
    waiting, in the fair order."""
    rows = await uow.session.execute(
        select(offer)
        .where(offer.c.event_id == ledger.event_id, offer.c.state == OfferState.OPEN.value)
        .order_by(offer.c.offer_id)
        .with_for_update()
    )
    for expired in rows.mappings().all():
        await end_offer(uow, ledger, expired, OfferState.EXPIRED, now)
    for promotion in ledger.seating.release_held_back(ledger.event_id, at=now):
        await record(uow, ledger, promotion)
    ledger.held_back = 0
    await uow.session.execute(
        update(allocation_event)
        .where(allocation_event.c.event_id == ledger.event_id)
        .values(held_back_released_at=now)
    )
