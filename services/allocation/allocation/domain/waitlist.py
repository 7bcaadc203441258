"""Requests waiting for seats at an event, each with what it was told when it began to wait."""

from collections.abc import Callable, Iterator
from uuid import UUID

from allocation.domain.decisions import Waitlisted
from allocation.domain.priority import Order
from allocation.domain.seat_request import SeatRequest


class Waitlist:
    def __init__(self) -> None:
        self._by_event: dict[UUID, dict[UUID, Waitlisted]] = {}

    def add(self, waiting: Waitlisted) -> None:
        self._by_event.setdefault(waiting.request.event_id, {})[waiting.booking_id] = waiting

    def remove(self, request: SeatRequest) -> Waitlisted:
        return self._by_event[request.event_id].pop(request.booking_id)

    def holds(self, request: SeatRequest) -> bool:
        return request.booking_id in self._by_event.get(request.event_id, {})

    def of_event(self, event_id: UUID) -> list[SeatRequest]:
        return [waiting.request for waiting in self._by_event.get(event_id, {}).values()]

    def __iter__(self) -> Iterator[Waitlisted]:
        for waiting in self._by_event.values():
            yield from waiting.values()

    def position(self, request: SeatRequest, order: Callable[[SeatRequest], Order]) -> int:
        key = order(request)
        return 1 + sum(order(other) < key for other in self.of_event(request.event_id))

    def in_order(self, order: Callable[[SeatRequest], Order]) -> list[Waitlisted]:
        """Everyone waiting, each with their place in their event's queue as `order` has it now."""
        queued: list[Waitlisted] = []
        for waiting in self._by_event.values():
            queue = sorted(waiting.values(), key=lambda entry: order(entry.request))
            queued += [entry.at(position) for position, entry in enumerate(queue, start=1)]
        return queued
