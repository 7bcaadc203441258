"""The booking service's copy of offers, kept from the allocation's events, with a fake unit of
work: an offer is kept once, and only an open one expires or is withdrawn."""

from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID, uuid4

from booking.db import OfferRecord
from booking.domain import OfferState
from booking.handlers import end_offer, keep_offer
from kulturbro_contracts import OfferExpired, SeatsOffered
from kulturbro_contracts.allocation import Offer, OfferEnd, OfferExpiry
from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime import UnitOfWork

DEADLINE = datetime(2027, 3, 8, 23, tzinfo=UTC)


class FakeSession:
    def __init__(self) -> None:
        self.rows: dict[UUID, OfferRecord] = {}

    async def get(self, _: type, key: UUID, **__: object) -> OfferRecord | None:
        return self.rows.get(key)

    def add(self, row: OfferRecord) -> None:
        self.rows[row.offer_id] = row


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.session = FakeSession()


def offered(offer_id: UUID) -> SeatsOffered:
    return SeatsOffered(
        municipality_id="malmo",
        payload=Offer(
            offer_id=offer_id,
            event_id=uuid4(),
            occurrence_id=uuid4(),
            group_id=uuid4(),
            unit_id=uuid4(),
            pupils=20,
            adults=2,
            seats=22,
            deadline=DEADLINE,
            explanation={Language.EN: "A place is held for your class."},
        ),
    )


def expired(offer_id: UUID, reason: OfferEnd) -> OfferExpired:
    return OfferExpired(
        municipality_id="malmo",
        payload=OfferExpiry(
            offer_id=offer_id,
            event_id=uuid4(),
            group_id=uuid4(),
            reason=reason,
            explanation={Language.EN: "The seats went to the waiting list."},
        ),
    )


async def test_an_offer_is_kept_once_open_until_its_deadline() -> None:
    work, offer_id = FakeUnitOfWork(), uuid4()
    uow = cast(UnitOfWork, work)
    await keep_offer(offered(offer_id), uow)
    first = work.session.rows[offer_id]
    await keep_offer(offered(offer_id), uow)
    assert work.session.rows[offer_id] is first, "a redelivered offer changes nothing"
    assert (first.state, first.deadline, first.pupils, first.adults) == (
        OfferState.OPEN,
        DEADLINE,
        20,
        2,
    )


async def test_only_an_open_offer_expires_or_is_withdrawn_and_says_why() -> None:
    work = FakeUnitOfWork()
    uow = cast(UnitOfWork, work)
    released, withdrawn, accepted = uuid4(), uuid4(), uuid4()
    for offer_id in (released, withdrawn, accepted):
        await keep_offer(offered(offer_id), uow)
    work.session.rows[accepted].state = OfferState.ACCEPTED
    await end_offer(expired(released, OfferEnd.RELEASED), uow)
    await end_offer(expired(withdrawn, OfferEnd.WITHDRAWN), uow)
    await end_offer(expired(accepted, OfferEnd.RELEASED), uow)
    await end_offer(expired(uuid4(), OfferEnd.RELEASED), uow)  # never heard of: nothing
    states: dict[UUID, Any] = {k: v.state for k, v in work.session.rows.items()}
    assert states == {
        released: OfferState.EXPIRED,
        withdrawn: OfferState.WITHDRAWN,
        accepted: OfferState.ACCEPTED,
    }
    assert work.session.rows[released].explanation == {"en": "The seats went to the waiting list."}
