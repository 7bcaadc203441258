"""The open indicators as a JSON-stat 2.0 dataset, the format the Nordic statistics offices'
PxWeb APIs serve: dimensions municipality × school year × indicator, withheld cells marked in
`status`, the licence and every definition in the data itself."""

from datetime import datetime
from typing import Any

from stats.domain.definitions import ATTRIBUTION, DEFINITIONS, LICENCE
from stats.domain.indicators import TOTAL, Indicator, Table

WITHHELD = "c"  # confidential, as Eurostat marks it
WITHHELD_NOTE = {
    "sv": "c: värdet visas inte, eftersom det bygger på för få skolor, grupper, besök eller "
    "utvärderingar, eller skulle avslöja ett sådant värde.",
    "fi": "c: arvoa ei julkaista, koska se perustuu liian harvaan kouluun, ryhmään, käyntiin tai "
    "arviointiin tai paljastaisi tällaisen arvon.",
    "en": "c: withheld, as it is built from too few schools, groups, visits or evaluations, or "
    "would give such a value away.",
}
TOTAL_LABEL = {"sv": "Totalt", "fi": "Yhteensä", "en": "Total"}


def rounded(indicator: Indicator, value: float | None) -> float | None:
    """To the indicator's decimals: no more precision than the definition promises."""
    if value is None:
        return None
    decimals = DEFINITIONS[indicator].decimals
    return round(value, decimals) if decimals else round(value)


def dataset(
    table: Table, school_year: str, names: dict[str, str], updated: datetime | None
) -> dict[str, Any]:
    values: list[float | None] = []
    status: dict[str, str] = {}
    for area in table.areas:
        for indicator in Indicator:
            cell = table.cells[area, indicator]
            if cell.withheld:
                status[str(len(values))] = WITHHELD
            values.append(rounded(indicator, cell.value))
    document: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "label": f"Kulturbro open indicators, school year {school_year}",
        "source": ATTRIBUTION,
        "id": ["municipality", "school_year", "indicator"],
        "size": [len(table.areas), 1, len(Indicator)],
        "role": {"geo": ["municipality"], "time": ["school_year"], "metric": ["indicator"]},
        "dimension": {
            "municipality": {
                "label": "municipality",
                "category": {
                    "index": table.areas,
                    "label": {a: names.get(a, TOTAL_LABEL["en"]) for a in table.areas},
                },
            },
            "school_year": {
                "label": "school year",
                "category": {"index": [school_year], "label": {school_year: school_year}},
            },
            "indicator": {
                "label": "indicator",
                "category": {
                    "index": [i.value for i in Indicator],
                    "label": {i.value: DEFINITIONS[i].label["en"] for i in Indicator},
                    "unit": {
                        i.value: {
                            "decimals": DEFINITIONS[i].decimals,
                            "label": DEFINITIONS[i].unit["en"],
                        }
                        for i in Indicator
                    },
                },
                "extension": {"definitions": definitions()},
            },
        },
        "value": values,
        "status": status,
        "note": [
            f"Licence: {LICENCE['name']} ({LICENCE['id']}), {LICENCE['url']}; "
            f"attribute to {ATTRIBUTION}.",
            WITHHELD_NOTE["en"],
        ],
        "link": {"license": [{"type": "text/html", "href": LICENCE["url"]}]},
        "extension": {
            "licence": LICENCE,
            "status": {WITHHELD: WITHHELD_NOTE},
            "total": {"id": TOTAL, "label": TOTAL_LABEL},
        },
    }
    if updated is not None:
        document["updated"] = updated.isoformat()
    return document


def definitions() -> dict[str, Any]:
    return {
        i.value: {
            "label": d.label,
            "unit": d.unit,
            "decimals": d.decimals,
            "definition": d.definition,
        }
        for i, d in DEFINITIONS.items()
    }
