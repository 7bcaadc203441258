"""Planning a day's buses as a pick-up-and-delivery problem with time windows, solved by PyVRP.

Each leg of a class's trip is a PyVRP shipment (picked up at the school and delivered at the
venue, and back again), whole so that a class is never split; each bus is its own vehicle type
with its seats and wheelchair places, depot and operating hours. Shipments are optional with a
prize above any detour, so the solver serves as many classes as it can, keeping those already
announced before taking new ones. PyVRP has no ride-time limit: the windows are tightened until any
schedule inside them keeps it (see eligibility.windows)."""

import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from uuid import UUID

from pyvrp import Activity, Model, ProblemData, Route, Shipment, Solution, solve
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

from transport.domain.eligibility import Reason, Windows, ineligible, windows
from transport.domain.places import Place
from transport.domain.plan import BusRun, DayPlan, Leg, Stop, StopKind
from transport.domain.rules import BusRules
from transport.domain.travel import Travel, TravelMatrix
from transport.domain.trips import ClassTrip, Day

PRIZE = 200_000  # metres: more than any detour for one class, small beside the solver's penalties
ANNOUNCED = 3  # a trip its teacher has been told of counts as much as three new ones
FAVOURED = 20  # a class asked for above all others (the benchmark's check) outweighs them all
BUS_COST = 5_000  # a bus taken out at all costs as much as 5 km: fewer buses where it is even
RESEARCHES = 2  # searches again after dropping classes taken one way only


@dataclass(frozen=True, slots=True)
class _Leg:
    trip: ClassTrip
    leg: Leg
    pickup: Place
    dropoff: Place


@dataclass(frozen=True, slots=True)
class _Effort:
    seed: int
    iterations: int
    max_seconds: float

    def stop(self) -> MultipleCriteria:
        return MultipleCriteria([MaxIterations(self.iterations), MaxRuntime(self.max_seconds)])


def plan_day(
    day: Day,
    trips: Sequence[ClassTrip],
    rules: BusRules,
    travel: Travel | None = None,
    *,
    frozen: bool = False,
    favoured: frozenset[UUID] = frozenset(),
    seed: int = 0,
    iterations: int = 3000,
    max_seconds: float = 6.0,
) -> DayPlan:
    """The day's runs for the confirmed trips. On a frozen day every announced pick-up stays
    within the tolerance of what was announced."""
    travel = travel or rules.travel()
    places = places_of(trips, rules)
    matrix = travel.matrix(places)
    candidates, unserved = _candidates(day, trips, rules, places, matrix, frozen=frozen)
    if not candidates:
        return DayPlan(runs=(), unserved=unserved)
    data, legs = _problem(day, candidates, rules, places, matrix, favoured)
    effort = _Effort(seed, iterations, max_seconds)
    solution = _search(data, effort)
    for attempt in range(1 + RESEARCHES):
        halves = _halves(solution, legs)
        if not halves:
            break
        # A class taken one way only has no trip: it leaves the plan, and the search goes on
        # from there with no prize for it.
        data = _without_prizes(data, legs, halves)
        solution = _pruned(data, solution, legs, halves)
        if attempt < RESEARCHES:
            shorter = replace(effort, iterations=iterations // 4, max_seconds=max_seconds / 4)
            solution = _search(data, shorter, solution)
    runs = _runs(day, solution, rules, legs)
    served = {stop.booking_id for run in runs for stop in run.stops}
    for trip, _ in candidates:
        if trip.booking_id not in served:
            unserved[trip.booking_id] = Reason.NO_BUS_FREE
    return DayPlan(runs=tuple(sorted(runs, key=lambda r: r.bus.name)), unserved=unserved)


def places_of(trips: Sequence[ClassTrip], rules: BusRules) -> list[Place]:
    found = [bus.depot for bus in rules.fleet] + [
        place for trip in trips for place in (trip.school, trip.venue)
    ]
    return list(dict.fromkeys(place for place in found if place is not None))


def _depots(rules: BusRules) -> list[Place]:
    """Every bus's own depot, each once, in the order of the fleet: the problem's depots."""
    return list(dict.fromkeys(bus.depot for bus in rules.fleet if bus.depot is not None))


def _candidates(
    day: Day,
    trips: Sequence[ClassTrip],
    rules: BusRules,
    places: Sequence[Place],
    matrix: TravelMatrix,
    *,
    frozen: bool,
) -> tuple[list[tuple[ClassTrip, Windows]], dict[UUID, Reason]]:
    """The trips the bus may take, with their windows, and why the others may not."""
    where = {place: i for i, place in enumerate(places)}
    candidates, unserved = [], {}
    groups: set[UUID] = set()  # the groups given their one trip a year today, in booking order
    for trip in trips:
        if rules.one_trip_per_school_year and trip.group_id in groups:
            trip = replace(trip, group_had_its_trip=True)
        if trip.school is None or trip.venue is None:
            reason = ineligible(trip, day, rules, None)
        else:
            school, venue = where[trip.school], where[trip.venue]
            reason = ineligible(trip, day, rules, matrix.metres[school][venue])
            if reason is None:
                found = windows(
                    trip, day, rules, matrix.seconds[school][venue], keep_announced=frozen
                )
                if isinstance(found, Windows):
                    candidates.append((trip, found))
                    if trip.group_id is not None:
                        groups.add(trip.group_id)
                    continue
                reason = found
        unserved[trip.booking_id] = reason or Reason.NO_COORDINATES
    return candidates, unserved


def _problem(
    day: Day,
    candidates: Sequence[tuple[ClassTrip, Windows]],
    rules: BusRules,
    places: Sequence[Place],
    matrix: TravelMatrix,
    favoured: frozenset[UUID] = frozenset(),
) -> tuple[ProblemData, list[_Leg]]:
    model = Model()
    locations = [model.add_location(x=p.longitude, y=p.latitude) for p in places]
    for i, frm in enumerate(locations):
        for j, to in enumerate(locations):
            if i != j:
                model.add_edge(frm, to, matrix.metres[i][j], matrix.seconds[i][j])
    where = {place: location for place, location in zip(places, locations, strict=True)}
    depots = {place: model.add_depot(where[place]) for place in _depots(rules)}
    for bus in rules.fleet:
        assert bus.depot is not None  # ineligible() has refused every class otherwise
        model.add_vehicle_type(
            capacity=[bus.seats, bus.wheelchair_places],
            start_depot=depots[bus.depot],
            end_depot=depots[bus.depot],
            fixed_cost=BUS_COST,
            tw_early=day.clock(rules.opens),
            tw_late=day.clock(rules.closes),
            name=bus.name,
        )
    stop = rules.stop_min * 60
    legs: list[_Leg] = []
    for trip, w in candidates:
        assert trip.school is not None and trip.venue is not None
        for leg, pickup, dropoff, (pick, drop) in (
            (Leg.THERE, trip.school, trip.venue, (w.there_pickup, w.there_dropoff)),
            (Leg.BACK, trip.venue, trip.school, (w.back_pickup, w.back_dropoff)),
        ):
            model.add_shipment(
                where[pickup],
                where[dropoff],
                pickup_tw_early=pick[0],
                pickup_tw_late=pick[1],
                pickup_service_duration=stop,
                delivery_tw_early=drop[0],
                delivery_tw_late=drop[1],
                delivery_service_duration=stop,
                amount=[trip.travellers, trip.wheelchair_places],
                prize=_prize(trip, favoured),
                required=False,
            )
            legs.append(_Leg(trip, leg, pickup, dropoff))
    return model.data(), legs


def _prize(trip: ClassTrip, favoured: frozenset[UUID]) -> int:
    if trip.booking_id in favoured:
        return PRIZE * FAVOURED
    return PRIZE * (ANNOUNCED if trip.announced_pickup else 1)


def _search(data: ProblemData, effort: _Effort, start: Solution | None = None) -> Solution:
    with warnings.catch_warnings():
        # Raised where some class fits no bus at all: it stays unserved, which is the answer.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = solve(
            data,
            effort.stop(),
            seed=effort.seed,
            collect_stats=False,
            display=False,
            initial_solution=start,
        )
    return result.best


def _halves(solution: Solution, legs: Sequence[_Leg]) -> set[UUID]:
    served = Counter(
        legs[activity.idx].trip.booking_id
        for route in solution.routes()
        for activity in route.schedule()
        if activity.is_pickup()
    )
    return {booking for booking, count in served.items() if count < 2}


def _without_prizes(data: ProblemData, legs: Sequence[_Leg], halves: set[UUID]) -> ProblemData:
    shipments = [
        Shipment(
            pickup_location=s.pickup.location,
            delivery_location=s.delivery.location,
            pickup_tw_early=s.pickup.tw_early,
            pickup_tw_late=s.pickup.tw_late,
            pickup_service_duration=s.pickup.service_duration,
            delivery_tw_early=s.delivery.tw_early,
            delivery_tw_late=s.delivery.tw_late,
            delivery_service_duration=s.delivery.service_duration,
            amount=s.amount,
            prize=0 if leg.trip.booking_id in halves else s.prize,
            required=False,
        )
        for s, leg in zip(data.shipments(), legs, strict=True)
    ]
    return data.replace(shipments=shipments)


def _pruned(
    data: ProblemData, solution: Solution, legs: Sequence[_Leg], halves: set[UUID]
) -> Solution:
    """The solution without the classes in halves: dropping stops makes no bus later, as
    travel times keep the triangle inequality."""
    routes = []
    for route in solution.routes():
        kept = [
            Activity(activity.type, activity.idx)
            for activity in route.schedule()
            if activity.is_shipment() and legs[activity.idx].trip.booking_id not in halves
        ]
        if kept:
            routes.append(Route(data, kept, route.vehicle_type()))
    return Solution(data, routes)


def _runs(day: Day, solution: Solution, rules: BusRules, legs: Sequence[_Leg]) -> list[BusRun]:
    depots = _depots(rules)
    runs = []
    for route in solution.routes():
        if not route.is_feasible():
            continue  # its classes stay unserved rather than late or crammed
        stops = []
        for activity in route.schedule():
            if not activity.is_shipment():
                continue
            leg = legs[activity.idx]
            picks_up = activity.is_pickup()
            stops.append(
                Stop(
                    booking_id=leg.trip.booking_id,
                    leg=leg.leg,
                    kind=StopKind.PICK_UP if picks_up else StopKind.DROP_OFF,
                    place=leg.pickup if picks_up else leg.dropoff,
                    at=day.at(activity.start_time),
                    travellers=leg.trip.travellers,
                    wheelchair_places=leg.trip.wheelchair_places,
                )
            )
        runs.append(
            BusRun(
                bus=rules.fleet[route.vehicle_type()],
                depot=depots[route.start_depot()],
                home=depots[route.end_depot()],
                leaves_depot=day.at(route.start_time()),
                back_at_depot=day.at(route.end_time()),
                stops=tuple(stops),
                metres=route.distance(),
            )
        )
    return runs
