"""An occurrence's participant list as a spreadsheet: CSV (UTF-8 with a byte order mark, so
Excel reads å, ä and ö) and XLSX, with the column names in the reader's language."""

import csv
import io
from collections.abc import Callable, Sequence

import xlsxwriter  # type: ignore[import-untyped]  # ships no type hints

from web.platform import Participant
from web.words import N_

COLUMNS = (
    N_("School"),
    N_("Group"),
    N_("Pupils"),
    N_("Adults"),
    N_("Wheelchair places"),
    N_("Culture bus"),
    N_("Note"),
)
# A spreadsheet runs a cell beginning with one of these as a formula: a note a teacher wrote
# must stay text in the organizer's spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def rows(
    participants: Sequence[Participant], gettext: Callable[[str], str]
) -> list[list[str | int]]:
    yes, no = gettext("Yes"), gettext("No")
    return [
        [
            _text(p.unit_name or ""),
            _text(p.group_name),
            p.pupils,
            p.adults,
            p.wheelchair_places,
            yes if p.wants_bus else no,
            _text(p.note),
        ]
        for p in participants
    ]


def as_csv(participants: Sequence[Participant], gettext: Callable[[str], str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext(name) for name in COLUMNS])
    writer.writerows(rows(participants, gettext))
    return ("\ufeff" + out.getvalue()).encode()


def as_xlsx(
    participants: Sequence[Participant], gettext: Callable[[str], str], title: str
) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(gettext("Participants")[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, [gettext(name) for name in COLUMNS], bold)
    for index, row in enumerate(rows(participants, gettext), start=1):
        sheet.write_row(index, 0, row)
    sheet.set_column(0, 1, 24)
    sheet.set_column(6, 6, 40)
    book.set_properties({"title": title})
    book.close()
    return out.getvalue()
