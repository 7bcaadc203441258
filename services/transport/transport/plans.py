"""A day's plan as the administrator reads it: each bus's stops in order, with times and load."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel

from kulturbro_contracts.transport import NoBusReason
from transport.domain import DayPlan, Leg, StopKind


class StopPublic(BaseModel):
    at: datetime
    kind: StopKind
    leg: Leg
    booking_id: UUID
    place: str
    latitude: float
    longitude: float
    travellers: int
    wheelchair_places: int
    on_board: int  # travellers on the bus as it leaves the stop


class RunPublic(BaseModel):
    bus: str
    seats: int
    wheelchair_places: int
    leaves_depot: datetime
    back_at_depot: datetime
    km: float
    most_on_board: int
    stops: list[StopPublic]


class UnservedPublic(BaseModel):
    booking_id: UUID
    reason: NoBusReason


class DayPlanPublic(BaseModel):
    day: date
    frozen: bool
    buses: list[RunPublic]
    unserved: list[UnservedPublic]
    km: float


def public_plan(
    day: date, plan: DayPlan, names: dict[UUID, tuple[str, str]], *, frozen: bool
) -> DayPlanPublic:
    """names: each booking's school and venue."""
    runs = []
    for run in plan.runs:
        loads = run.load()
        stops = [
            StopPublic(
                at=stop.at,
                kind=stop.kind,
                leg=stop.leg,
                booking_id=stop.booking_id,
                place=names[stop.booking_id][
                    0 if (stop.leg is Leg.THERE) == (stop.kind is StopKind.PICK_UP) else 1
                ],
                latitude=stop.place.latitude,
                longitude=stop.place.longitude,
                travellers=stop.travellers,
                wheelchair_places=stop.wheelchair_places,
                on_board=seats,
            )
            for stop, (seats, _) in zip(run.stops, loads, strict=True)
        ]
        runs.append(
            RunPublic(
                bus=run.bus.name,
                seats=run.bus.seats,
                wheelchair_places=run.bus.wheelchair_places,
                leaves_depot=run.leaves_depot,
                back_at_depot=run.back_at_depot,
                km=round(run.metres / 1000, 1),
                most_on_board=max((seats for seats, _ in loads), default=0),
                stops=stops,
            )
        )
    return DayPlanPublic(
        day=day,
        frozen=frozen,
        buses=runs,
        unserved=[UnservedPublic(booking_id=b, reason=r) for b, r in plan.unserved.items()],
        km=round(plan.metres / 1000, 1),
    )
