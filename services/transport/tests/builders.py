"""Small days in and around Malmö for the planning tests."""

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from transport.domain import Bus, BusRules, ClassTrip, Day, Place

MALMO = ZoneInfo("Europe/Stockholm")
TUESDAY = Day(date(2027, 3, 16), MALMO)
THEATRE = Place(55.6050, 13.0038)  # Malmö city centre
DEPOT = Place(55.5800, 13.0500)
# Two schools a few hundred metres apart, some 8 km from the theatre.
ROSENGARD = Place(55.5840, 13.0430)
HERRGARDEN = Place(55.5820, 13.0470)
LIMHAMN = Place(55.5780, 12.9330)
NEAR = Place(55.6060, 13.0050)  # a few minutes' walk from the theatre
FAR = Place(56.0465, 12.6945)  # Helsingborg: more than an hour away

RULES = BusRules(
    fleet=(
        Bus("Buss 1", seats=50, wheelchair_places=0, depot=DEPOT),
        Bus("Buss 2", seats=50, wheelchair_places=2, depot=DEPOT),
    )
)


def local(day: Day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day.date, time(hour, minute), tzinfo=day.zone).astimezone(UTC)


def trip(
    school: Place | None,
    *,
    venue: Place | None = THEATRE,
    starts: tuple[int, int] = (10, 0),
    minutes: int = 60,
    pupils: int = 22,
    adults: int = 2,
    wheelchairs: int = 0,
    booked_days_before: int = 30,
    occurrence_id: UUID | None = None,
    day: Day = TUESDAY,
) -> ClassTrip:
    starts_at = local(day, *starts)
    return ClassTrip(
        booking_id=uuid4(),
        occurrence_id=occurrence_id or uuid4(),
        school=school,
        venue=venue,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        pupils=pupils,
        adults=adults,
        wheelchair_places=wheelchairs,
        booked_at=starts_at - timedelta(days=booked_days_before),
    )
