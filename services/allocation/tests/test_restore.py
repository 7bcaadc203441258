"""A seating restored from earlier decisions goes on exactly as the original would."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from allocation.domain import Basis, Occurrence, Seating, SeatRequest
from kulturbro_contracts.vocabulary import BookingPolicy

NOW = datetime(2027, 2, 1, tzinfo=UTC)


def test_a_restored_seating_promotes_like_the_original() -> None:
    event = uuid4()
    occurrence = Occurrence(uuid4(), event, capacity=10, starts_at=NOW + timedelta(days=30))

    def request(seats: int) -> SeatRequest:
        return SeatRequest(
            uuid4(), event, uuid4(), uuid4(), None, seats - 1, 1, (occurrence.id,), NOW
        )

    first, second, third = request(6), request(4), request(5)
    original = Seating([occurrence], BookingPolicy.INSTANT)
    decisions = [original.request(r) for r in (first, second, third)]
    assert [type(d).__name__ for d in decisions] == ["Allocated", "Allocated", "Waitlisted"]

    restored = Seating([occurrence], BookingPolicy.INSTANT)
    restored.restore([(first, occurrence.id), (second, occurrence.id)], [(third, Basis.ARRIVAL)])
    assert restored.free_seats(occurrence.id) == original.free_seats(occurrence.id) == 0

    promoted_original = original.cancel(first.booking_id, at=NOW)
    promoted_restored = restored.cancel(first.booking_id, at=NOW)
    assert [p.booking_id for p in promoted_restored] == [p.booking_id for p in promoted_original]
    assert [p.booking_id for p in promoted_restored] == [third.booking_id]
