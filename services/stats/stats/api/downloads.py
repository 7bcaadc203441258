"""Tables as the downloads people open in a spreadsheet: CSV (UTF-8 with a byte-order mark, so
Excel reads å, ä and ö) and XLSX."""

import csv
import io
from collections.abc import Mapping, Sequence
from enum import StrEnum

import xlsxwriter  # type: ignore[import-untyped]  # ships no type hints
from fastapi import Response

Cell = str | int | float | None
Sheet = tuple[Sequence[str], Sequence[Sequence[Cell]]]


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_response(sheet: Sheet, filename: str) -> Response:
    header, rows = sheet
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_inert(cell) for cell in row] for row in rows)
    return Response(
        ("\ufeff" + out.getvalue()).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def _inert(cell: Cell) -> Cell:
    """A text a spreadsheet would take for a formula (a comment starting with =) is kept text."""
    if cell is None:
        return ""
    if isinstance(cell, str) and cell[:1] in FORMULA_STARTS:
        return "'" + cell
    return cell


def xlsx_response(sheets: Mapping[str, Sheet], filename: str) -> Response:
    out = io.BytesIO()
    with xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False}) as book:
        bold = book.add_format({"bold": True})
        for name, (header, rows) in sheets.items():
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, header, bold)
            for number, row in enumerate(rows, start=1):
                sheet.write_row(number, 0, ["" if cell is None else cell for cell in row])
            sheet.freeze_panes(1, 0)
    return Response(
        out.getvalue(),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
    )
