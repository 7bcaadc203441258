"""A day's plan as the administrator reads it: each bus's stops in order, with times and load."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from kulturbro_contracts.transport import NoBusReason
from transport.domain import Bus, BusRules, BusRun, DayPlan, Leg, Place, Stop, StopKind
from transport.fixes import Fix


@dataclass(frozen=True)
class Site:
    """A stop as the administrator and the operator read it."""

    name: str
    address: str | None = None


class StopPublic(BaseModel):
    at: datetime
    kind: StopKind
    leg: Leg
    booking_id: UUID
    place: str
    address: str | None = None
    latitude: float
    longitude: float
    travellers: int
    wheelchair_places: int
    on_board: int  # travellers on the bus as it leaves the stop


class RunPublic(BaseModel):
    bus: str
    seats: int
    wheelchair_places: int
    depot_latitude: float | None = None  # None in plans made before each bus had its own
    depot_longitude: float | None = None
    leaves_depot: datetime
    back_at_depot: datetime
    km: float
    most_on_board: int
    stops: list[StopPublic]


class UnservedPublic(BaseModel):
    booking_id: UUID
    reason: NoBusReason
    what_to_fix: str | None = Field(
        None, description="for the administrator: what to change, in English"
    )
    fixes: list[Fix] = Field(
        [], description="the same as codes with their values, for a page to say in its language"
    )


class PlacementPublic(BaseModel):
    """A class the administrator put on a bus by hand: later plans of the day keep it there
    while that keeps every rule."""

    booking_id: UUID
    bus: str
    moved_by: str
    moved_at: datetime


class RunSheetState(BaseModel):
    """The operator's run sheet of the day, as the office sees it."""

    sends_at: datetime = Field(description="when the first sheet of the day goes out")
    revision: int | None = Field(description="the latest sheet sent; none: not sent yet")
    issued_at: datetime | None
    not_sent_because: str | None = Field(description="why no sheet goes out, and what to fix")


class DayPlanPublic(BaseModel):
    day: date
    frozen: bool
    buses: list[RunPublic]
    unserved: list[UnservedPublic]
    km: float
    placed_by_hand: list[PlacementPublic] = []
    run_sheet: RunSheetState | None = None  # told by the API, not kept with the plan


def public_plan(
    day: date,
    plan: DayPlan,
    sites: dict[UUID, tuple[Site, Site]],
    *,
    frozen: bool,
    placed_by_hand: Sequence[PlacementPublic] = (),
) -> DayPlanPublic:
    """sites: each booking's school and venue."""
    runs = []
    for run in plan.runs:
        loads = run.load()
        stops = []
        for stop, (seats, _) in zip(run.stops, loads, strict=True):
            at_school = (stop.leg is Leg.THERE) == (stop.kind is StopKind.PICK_UP)
            site = sites[stop.booking_id][0 if at_school else 1]
            stop_public = StopPublic(
                at=stop.at,
                kind=stop.kind,
                leg=stop.leg,
                booking_id=stop.booking_id,
                place=site.name,
                address=site.address,
                latitude=stop.place.latitude,
                longitude=stop.place.longitude,
                travellers=stop.travellers,
                wheelchair_places=stop.wheelchair_places,
                on_board=seats,
            )
            stops.append(stop_public)
        runs.append(
            RunPublic(
                bus=run.bus.name,
                seats=run.bus.seats,
                wheelchair_places=run.bus.wheelchair_places,
                depot_latitude=run.depot.latitude,
                depot_longitude=run.depot.longitude,
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
        placed_by_hand=list(placed_by_hand),
    )


def domain_plan(public: DayPlanPublic, rules: BusRules) -> DayPlan:
    """The stored plan as the domain plans: each run's bus as the rules have it now (a bus gone
    from the fleet keeps what the plan says, for the checker to find)."""
    fleet = {bus.name: bus for bus in rules.fleet}
    runs = []
    for run in public.buses:
        bus = fleet.get(run.bus) or Bus(run.bus, run.seats, run.wheelchair_places)
        depot = (
            Place(run.depot_latitude, run.depot_longitude)
            if run.depot_latitude is not None and run.depot_longitude is not None
            else bus.depot
        )
        assert depot is not None  # no bus was planned without one
        stops = tuple(
            Stop(
                booking_id=stop.booking_id,
                leg=stop.leg,
                kind=stop.kind,
                place=Place(stop.latitude, stop.longitude),
                at=stop.at,
                travellers=stop.travellers,
                wheelchair_places=stop.wheelchair_places,
            )
            for stop in run.stops
        )
        runs.append(
            BusRun(
                bus=bus,
                depot=depot,
                home=depot,
                leaves_depot=run.leaves_depot,
                back_at_depot=run.back_at_depot,
                stops=stops,
                metres=round(run.km * 1000),
            )
        )
    return DayPlan(runs=tuple(runs), unserved={u.booking_id: u.reason for u in public.unserved})
