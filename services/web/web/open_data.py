"""The open indicators' JSON-stat 2.0 dataset read into a table to show: a row for each
municipality (and the total), a cell for each indicator, withheld cells marked as such."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cell:
    value: float | None
    withheld: bool


@dataclass(frozen=True)
class Column:
    id: str
    decimals: int


@dataclass(frozen=True)
class Row:
    id: str
    label: str
    cells: list[Cell]


@dataclass(frozen=True)
class OpenTable:
    columns: list[Column]
    rows: list[Row]
    withheld_mark: str


def read_dataset(document: dict[str, Any]) -> OpenTable:
    """municipality × school year (one) × indicator, in the dataset's own order."""
    dimension = document["dimension"]
    areas = dimension["municipality"]["category"]
    indicators = dimension["indicator"]["category"]
    units = indicators.get("unit", {})
    columns = [Column(i, int(units.get(i, {}).get("decimals", 0))) for i in indicators["index"]]
    status: dict[str, str] = document.get("status") or {}
    values: list[float | None] = document["value"]
    rows = []
    for a, area in enumerate(areas["index"]):
        cells = []
        for c in range(len(columns)):
            at = a * len(columns) + c
            cells.append(Cell(values[at], str(at) in status))
        rows.append(Row(area, areas["label"].get(area, area), cells))
    marks = set(status.values())
    return OpenTable(columns, rows, marks.pop() if len(marks) == 1 else "c")
