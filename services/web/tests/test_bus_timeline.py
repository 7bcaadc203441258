"""The buses' timeline: each bus a row from depot to depot on an axis of whole local hours, each
stretch with pupils aboard as tall as its share of the seats."""

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from web.bus_timeline import BAR_HEIGHT, LABEL_WIDTH, TRACK_WIDTH, timeline
from web.platform import BusRun, BusStop

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, 2, hour, minute, tzinfo=UTC)  # 1 hour behind Stockholm in March


def stop(when: datetime, kind: str, on_board: int) -> BusStop:
    return BusStop(
        at=when,
        kind=kind,
        leg="there",
        booking_id=uuid.uuid4(),
        place="x",
        travellers=25,
        wheelchair_places=0,
        on_board=on_board,
    )


def run(name: str, stops: list[BusStop], leaves: datetime, back: datetime) -> BusRun:
    return BusRun(
        bus=name,
        seats=50,
        wheelchair_places=0,
        leaves_depot=leaves,
        back_at_depot=back,
        km=10.0,
        most_on_board=max(s.on_board for s in stops),
        stops=stops,
    )


def test_each_bus_is_a_row_over_whole_local_hours_and_each_stretch_as_tall_as_its_load() -> None:
    one = run(
        "Buss 1",
        [
            stop(at(7, 30), "pick_up", 25),
            stop(at(7, 45), "pick_up", 50),
            stop(at(8), "drop_off", 0),
        ],
        at(7, 15),
        at(8, 30),
    )
    two = run(
        "Buss 2", [stop(at(9), "pick_up", 20), stop(at(9, 20), "drop_off", 0)], at(8), at(9, 45)
    )
    drawn = timeline([one, two], STOCKHOLM)
    assert drawn is not None
    assert [hour.label for hour in drawn.hours] == ["08", "09", "10", "11"]  # 08:15 to 10:45 local
    quarter = TRACK_WIDTH / 3 / 4  # three hours across the track
    first, second = drawn.rows
    assert first.x == LABEL_WIDTH + quarter and second.y > first.y
    assert [s.height for s in first.stretches] == [BAR_HEIGHT / 2, BAR_HEIGHT]
    assert [s.on_board for s in second.stretches] == [20]
    assert timeline([], STOCKHOLM) is None
