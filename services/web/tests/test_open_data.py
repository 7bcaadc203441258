"""The open indicators' JSON-stat dataset becomes a table: each value in its municipality's row
and its indicator's column, the withheld ones marked."""

from web.open_data import Cell, read_dataset


def test_each_value_lands_in_its_row_and_column_and_withheld_cells_are_marked() -> None:
    dataset = {
        "version": "2.0",
        "class": "dataset",
        "id": ["municipality", "school_year", "indicator"],
        "size": [2, 1, 3],
        "dimension": {
            "municipality": {
                "category": {"index": ["malmo", "total"], "label": {"malmo": "Malmö"}}
            },
            "school_year": {"category": {"index": ["2026-27"]}},
            "indicator": {
                "category": {
                    "index": ["pupils", "visits_per_pupil", "gini"],
                    "unit": {"visits_per_pupil": {"decimals": 2}, "gini": {"decimals": 3}},
                }
            },
        },
        "value": [1200, 1.84, None, 1200, 1.84, None],
        "status": {"2": "c", "5": "c"},
    }
    table = read_dataset(dataset)
    assert [c.id for c in table.columns] == ["pupils", "visits_per_pupil", "gini"]
    assert [c.decimals for c in table.columns] == [0, 2, 3]
    assert [(r.id, r.label) for r in table.rows] == [("malmo", "Malmö"), ("total", "total")]
    assert table.rows[0].cells == [Cell(1200, False), Cell(1.84, False), Cell(None, True)]
    assert table.withheld_mark == "c"
