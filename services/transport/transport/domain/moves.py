"""A class moved to another bus by hand: its stops go on that bus where they cost the fewest
kilometres and keep every window, the bus is re-timed around them (keeping the others' times
where it can), and the independent checker has the last word. A move that breaks a rule is
refused with the rules it breaks and the buses that could take the class instead."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from uuid import UUID

from transport.domain.checker import Rule, Violation, broken_rules
from transport.domain.eligibility import Reason, Windows, ineligible, windows
from transport.domain.places import Place
from transport.domain.plan import BusRun, DayPlan, Leg, Stop, StopKind
from transport.domain.planning import places_of
from transport.domain.rules import Bus, BusRules
from transport.domain.travel import Travel, TravelMatrix
from transport.domain.trips import ClassTrip, Day

TRIED = 12  # the best ways there tried with every way back: enough on a day's bus
OVERLOAD = 3600  # a traveller too many weighs as much as an hour late


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a class cannot go on the bus asked for, and which buses could take it."""

    broken: tuple[Violation, ...]
    fits_on: tuple[str, ...]
    reason: Reason | None = None  # the class may have no bus at all


@dataclass(frozen=True, slots=True)
class _Call:
    """A stop to time: when it may be (seconds of the day) and when it is now, kept if it can."""

    stop: Stop
    early: int
    late: int
    now: int | None


class _Day:
    """What timing a bus's stops needs: the rules, the day, the travel times between places."""

    def __init__(
        self, day: Day, rules: BusRules, places: Sequence[Place], matrix: TravelMatrix
    ) -> None:
        self.day, self.rules, self.matrix = day, rules, matrix
        self.where = {place: i for i, place in enumerate(places)}
        self.opens, self.closes = day.clock(rules.opens), day.clock(rules.closes)

    def timed(self, bus: Bus, calls: Sequence[_Call]) -> tuple[BusRun, int]:
        """The bus's run through the calls in order, each as soon as it may be but no earlier
        than it is now, and by how much it breaks the windows, the seats and the hours (0 where
        it keeps them all)."""
        assert bus.depot is not None
        at_place = [self.where[bus.depot], *(self.where[c.stop.place] for c in calls)]
        at_place.append(at_place[0])
        seconds, stop = self.matrix.seconds, self.rules.stop_min * 60
        free_at, times, excess = self.opens, [], 0
        seats = wheelchairs = 0
        for k, call in enumerate(calls):
            arrives = free_at + seconds[at_place[k]][at_place[k + 1]]
            at = max(arrives, call.early, call.early if call.now is None else call.now)
            sign = 1 if call.stop.kind is StopKind.PICK_UP else -1
            seats += sign * call.stop.travellers
            wheelchairs += sign * call.stop.wheelchair_places
            excess += max(0, at - call.late) + OVERLOAD * (
                max(0, seats - bus.seats) + max(0, wheelchairs - bus.wheelchair_places)
            )
            times.append(at)
            free_at = at + stop
        back = free_at + seconds[at_place[-2]][at_place[-1]]
        excess += max(0, back - self.closes)
        leaves = times[0] - seconds[at_place[0]][at_place[1]] if times else self.opens
        run = BusRun(
            bus=bus,
            depot=bus.depot,
            home=bus.depot,
            leaves_depot=self.day.at(leaves),
            back_at_depot=self.day.at(back),
            stops=tuple(
                replace(call.stop, at=self.day.at(at))
                for call, at in zip(calls, times, strict=True)
            ),
            metres=sum(self.matrix.metres[a][b] for a, b in pairwise(at_place)),
        )
        return run, excess

    def best(self, bus: Bus, calls: list[_Call], new: list[_Call]) -> tuple[BusRun, int] | None:
        """The bus's run with the class on it both ways: the cheapest that keeps every window,
        or else the one that breaks them least; None for a bus without a depot."""
        if bus.depot is None:
            return None
        there = sorted(
            ((self.timed(bus, way), way) for way in _with_pair(calls, new[0], new[1])),
            key=lambda found: (found[0][1], found[0][0].metres),
        )
        found: tuple[BusRun, int] | None = None
        for _, way in there[:TRIED]:
            for back in _with_pair(way, new[2], new[3]):
                run, excess = self.timed(bus, back)
                if found is None or (excess, run.metres) < (found[1], found[0].metres):
                    found = run, excess
        return found

    def fits(self, bus: Bus, calls: list[_Call], new: list[_Call]) -> BusRun | None:
        found = self.best(bus, calls, new)
        return found[0] if found is not None and found[1] == 0 else None


def move_class(
    plan: DayPlan,
    trips: Sequence[ClassTrip],
    day: Day,
    rules: BusRules,
    travel: Travel,
    booking_id: UUID,
    bus_name: str,
    *,
    frozen: bool = False,
) -> DayPlan | Refusal:
    """The plan with the class on the bus named, both ways, or why it cannot be."""
    trip = next(t for t in trips if t.booking_id == booking_id)
    bus = next(b for b in rules.fleet if b.name == bus_name)
    now = plan.trip(booking_id)
    if now is not None and now.bus == now.return_bus == bus_name:
        return plan
    places = places_of(trips, rules)
    matrix = travel.matrix(places)
    timing = _Day(day, rules, places, matrix)
    found = _windows(trip, day, rules, timing, frozen=frozen)
    if not isinstance(found, Windows):
        return Refusal(broken=(), fits_on=(), reason=found)
    all_windows = {
        t.booking_id: w
        for t in trips
        if isinstance(w := _windows(t, day, rules, timing, frozen=frozen), Windows)
    }
    runs = {
        run.bus.name: [c for c in _calls(run, all_windows, day) if c.stop.booking_id != booking_id]
        for run in plan.runs
    }
    new = _new_calls(trip, found)
    moved = timing.fits(bus, runs.get(bus_name, []), new)
    if moved is not None:
        kept = _retimed(timing, plan.runs, runs, bus_name)
        after = DayPlan(
            runs=tuple(sorted([*kept, moved], key=lambda r: r.bus.name)),
            unserved={b: r for b, r in plan.unserved.items() if b != booking_id},
        )
        before = {v.words for v in broken_rules(plan, trips, day, rules, travel)}
        broken = [
            v for v in broken_rules(after, trips, day, rules, travel) if v.words not in before
        ]
        if not broken:
            return after
    else:
        broken = _why_not(timing, bus, runs.get(bus_name, []), new, plan, trips, travel)
    fits_on = tuple(
        other.name
        for other in rules.fleet
        if other.name != bus_name
        and other.depot is not None
        and timing.fits(other, runs.get(other.name, []), new) is not None
    )
    return Refusal(broken=tuple(broken), fits_on=fits_on)


def keep_placements(
    plan: DayPlan,
    placements: Mapping[UUID, str],
    trips: Sequence[ClassTrip],
    day: Day,
    rules: BusRules,
    travel: Travel,
    *,
    frozen: bool = False,
) -> DayPlan:
    """The plan with each class the administrator placed by hand on its bus again, where that
    still keeps every rule; elsewhere the plan's own placement stands."""
    asked = {t.booking_id for t in trips}
    names = {bus.name for bus in rules.fleet}
    for booking_id, bus_name in placements.items():
        if booking_id not in asked or bus_name not in names:
            continue
        found = plan.trip(booking_id)
        if found is not None and found.bus == found.return_bus == bus_name:
            continue
        moved = move_class(plan, trips, day, rules, travel, booking_id, bus_name, frozen=frozen)
        if isinstance(moved, DayPlan):
            plan = moved
    return plan


def _windows(
    trip: ClassTrip, day: Day, rules: BusRules, timing: _Day, *, frozen: bool
) -> Windows | Reason:
    if trip.school is None or trip.venue is None:
        return ineligible(trip, day, rules, None) or Reason.NO_COORDINATES
    school, venue = timing.where[trip.school], timing.where[trip.venue]
    reason = ineligible(trip, day, rules, timing.matrix.metres[school][venue])
    if reason is not None:
        return reason
    return windows(trip, day, rules, timing.matrix.seconds[school][venue], keep_announced=frozen)


def _window(w: Windows, leg: Leg, kind: StopKind) -> tuple[int, int]:
    if leg is Leg.THERE:
        return w.there_pickup if kind is StopKind.PICK_UP else w.there_dropoff
    return w.back_pickup if kind is StopKind.PICK_UP else w.back_dropoff


def _calls(run: BusRun, found: Mapping[UUID, Windows], day: Day) -> list[_Call]:
    """A run's stops as calls; a class whose windows the rules no longer give keeps its time."""
    calls = []
    for stop in run.stops:
        now = day.seconds(stop.at)
        w = found.get(stop.booking_id)
        early, late = (now, now) if w is None else _window(w, stop.leg, stop.kind)
        calls.append(_Call(stop, min(early, now), max(late, now), now))
    return calls


def _new_calls(trip: ClassTrip, w: Windows) -> list[_Call]:
    assert trip.school is not None and trip.venue is not None
    calls = []
    for leg, kind, place in (
        (Leg.THERE, StopKind.PICK_UP, trip.school),
        (Leg.THERE, StopKind.DROP_OFF, trip.venue),
        (Leg.BACK, StopKind.PICK_UP, trip.venue),
        (Leg.BACK, StopKind.DROP_OFF, trip.school),
    ):
        early, late = _window(w, leg, kind)
        stop = Stop(
            booking_id=trip.booking_id,
            leg=leg,
            kind=kind,
            place=place,
            at=trip.starts_at,  # timed when inserted
            travellers=trip.travellers,
            wheelchair_places=trip.wheelchair_places,
        )
        calls.append(_Call(stop, early, late, None))
    return calls


def _with_pair(calls: list[_Call], first: _Call, second: _Call) -> list[list[_Call]]:
    """Every way to put first and then second among the calls, in their order."""
    return [
        [*calls[:i], first, *calls[i:j], second, *calls[j:]]
        for i in range(len(calls) + 1)
        for j in range(i, len(calls) + 1)
    ]


def _retimed(
    timing: _Day, runs: Sequence[BusRun], calls: Mapping[str, list[_Call]], moved_to: str
) -> list[BusRun]:
    """The other buses' runs, each without the moved class and re-timed where it left one."""
    kept = []
    for run in runs:
        left = calls[run.bus.name]
        if run.bus.name == moved_to or not left:
            continue
        if len(left) == len(run.stops):
            kept.append(run)
        else:
            # Fewer stops make nothing later: the times it keeps stay within their windows.
            kept.append(timing.timed(run.bus, left)[0])
    return kept


def _why_not(
    timing: _Day,
    bus: Bus,
    calls: list[_Call],
    new: list[_Call],
    plan: DayPlan,
    trips: Sequence[ClassTrip],
    travel: Travel,
) -> list[Violation]:
    """The rules broken by the least bad way to put the class on the bus, as the checker says."""
    found = timing.best(bus, calls, new)
    if found is None:
        return [Violation(Rule.DEPOT, f"bus {bus.name} has no depot: set it in the bus rules")]
    booking_id = new[0].stop.booking_id
    others = tuple(
        replace(run, stops=tuple(s for s in run.stops if s.booking_id != booking_id))
        for run in plan.runs
        if run.bus.name != bus.name
    )
    after = DayPlan(runs=(*(o for o in others if o.stops), found[0]), unserved={})
    broken = [
        v
        for v in broken_rules(after, trips, timing.day, timing.rules, travel)
        if v.rule is not Rule.WHOLE_TRIP
    ]
    said = f"no order of bus {bus.name}'s stops keeps every class's times"
    return broken or [Violation(Rule.DRIVING_TIME, said)]
