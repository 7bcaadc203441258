"""A day's culture buses as a timeline drawn on the server (SVG, no script): a row a bus from its
depot and back, each stretch between stops as tall as the share of seats taken on it. The stops'
table below it says the same in words."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from web.platform import BusRun

LABEL_WIDTH, TRACK_WIDTH, ROW_HEIGHT, BAR_HEIGHT, AXIS_HEIGHT = 120, 600, 48, 28, 24


@dataclass(frozen=True, slots=True)
class Stretch:
    x: float
    width: float
    height: float  # the share of seats taken, of BAR_HEIGHT
    on_board: int


@dataclass(frozen=True, slots=True)
class Row:
    bus: str
    y: int
    x: float  # leaves the depot
    width: float  # until back at the depot
    stretches: list[Stretch]
    stops: list[float]


@dataclass(frozen=True, slots=True)
class Hour:
    x: float
    label: str


@dataclass(frozen=True, slots=True)
class Timeline:
    rows: list[Row]
    hours: list[Hour]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def timeline(runs: Sequence[BusRun], zone: ZoneInfo) -> Timeline | None:
    """None where no bus runs; else whole hours from the first departure to the last return."""
    if not runs:
        return None
    first = min(run.leaves_depot for run in runs).astimezone(zone)
    last = max(run.back_at_depot for run in runs).astimezone(zone)
    start = first.replace(minute=0, second=0, microsecond=0)
    end = last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    span = (end - start).total_seconds()

    def x(at: datetime) -> float:
        return round(LABEL_WIDTH + TRACK_WIDTH * (at - start).total_seconds() / span, 1)

    rows = []
    for index, run in enumerate(runs):
        times = [run.leaves_depot] + [stop.at for stop in run.stops] + [run.back_at_depot]
        loads = [0] + [stop.on_board for stop in run.stops]
        stretches = [
            Stretch(
                x=x(begins),
                width=round(x(ends) - x(begins), 1),
                height=round(BAR_HEIGHT * min(load / run.seats, 1.0), 1) if run.seats else 0.0,
                on_board=load,
            )
            for begins, ends, load in zip(times, times[1:], loads, strict=False)
            if load > 0 and ends > begins
        ]
        rows.append(
            Row(
                bus=run.bus,
                y=AXIS_HEIGHT + index * ROW_HEIGHT,
                x=x(run.leaves_depot),
                width=round(x(run.back_at_depot) - x(run.leaves_depot), 1),
                stretches=stretches,
                stops=[x(stop.at) for stop in run.stops],
            )
        )
    hours = [
        Hour(x(start + timedelta(hours=h)), f"{(start + timedelta(hours=h)).hour:02d}")
        for h in range(int(span // 3600) + 1)
    ]
    return Timeline(
        rows, hours, LABEL_WIDTH + TRACK_WIDTH + 20, AXIS_HEIGHT + len(rows) * ROW_HEIGHT
    )
