"""Bar charts drawn on the server as SVG (no script), one bar a row: each page shows the same
figures in a table beside it."""

from collections.abc import Sequence
from dataclasses import dataclass

BAR_HEIGHT, ROW_HEIGHT, CHART_WIDTH = 14, 44, 600


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    width: float  # in the chart's units, 0 to CHART_WIDTH
    y: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int  # the view box's, room for the longest bar and its figure
    height: int
    bar_height: int = BAR_HEIGHT


def bars(rows: Sequence[tuple[str, float]], top: float | None = None) -> Chart:
    """A bar for each (label, value): full length at `top` (a scale's end, such as 5), else at
    the highest value."""
    highest = top or max((value for _, value in rows), default=0.0)
    drawn = [
        Bar(
            label=label,
            value=value,
            width=round(CHART_WIDTH * value / highest, 1) if highest > 0 else 0.0,
            y=index * ROW_HEIGHT,
        )
        for index, (label, value) in enumerate(rows)
    ]
    return Chart(drawn, CHART_WIDTH + 80, max(len(drawn) * ROW_HEIGHT, ROW_HEIGHT))
