"""The bus bench's check finds a class left without a bus that a feasible plan could add, and
does not count one that no plan keeping the rules can take."""

import dataclasses
from datetime import date, datetime, time, timedelta
from uuid import uuid4

from bench.transport_day import DEPOT, MALMO, addable
from transport.domain import Bus, BusRules, ClassTrip, Day, DayPlan, Place, Reason, plan_day

DAY = Day(date(2027, 3, 16), MALMO)
SCHOOL, NEIGHBOUR = Place(55.5840, 13.0430), Place(55.5820, 13.0470)
THEATRE = Place(55.6050, 13.0038)


def a_class(school: Place) -> ClassTrip:
    """Due at 08:45: a bus has no time to fetch a second class after taking the first there."""
    starts = datetime.combine(DAY.date, time(8, 45), tzinfo=MALMO)
    return ClassTrip(
        booking_id=uuid4(),
        occurrence_id=uuid4(),
        school=school,
        venue=THEATRE,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        pupils=22,
        adults=2,
        wheelchair_places=0,
        booked_at=starts - timedelta(days=30),
    )


def test_a_class_the_bus_could_also_take_is_counted_and_one_it_cannot_is_not() -> None:
    rules = BusRules(fleet=(Bus("Buss 1", seats=50, depot=DEPOT),))
    first, second = a_class(SCHOOL), a_class(NEIGHBOUR)
    alone = plan_day(DAY, [first], rules)
    left_out = DayPlan(runs=alone.runs, unserved={second.booking_id: Reason.NO_BUS_FREE})
    assert addable(DAY, [first, second], rules, left_out) == [second.booking_id]
    # 24 and 42 travellers on a bus of 50 at the same time: no plan takes both.
    big = dataclasses.replace(second, pupils=40)
    left_out = DayPlan(runs=alone.runs, unserved={big.booking_id: Reason.NO_BUS_FREE})
    assert addable(DAY, [first, big], rules, left_out) == []
    # A class refused by a rule (too near) no plan could take is not counted.
    near = DayPlan(runs=alone.runs, unserved={second.booking_id: Reason.TOO_NEAR})
    assert addable(DAY, [first, second], rules, near) == []
