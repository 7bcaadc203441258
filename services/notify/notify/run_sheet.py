"""The bus operator's run sheet: one mail per day and revision, in the municipality's language,
with the stops as a CSV file and a PDF beside the text."""

import csv
import importlib.util
import io
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from fpdf import FPDF
from sqlalchemy import select

from kulturbro_contracts.transport import BusRunSheetIssued
from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime import HandlerTable, UnitOfWork
from kulturbro_runtime.consumer import NotYet
from kulturbro_runtime.localization import LOCALES, PATTERNS
from notify.db import municipality
from notify.mail_queue import Recipient, cause, queue_mail
from notify.mime import Attachment

KIND = "bus_run_sheet"
COLUMNS = {
    Language.SV: (
        "Buss",
        "Tid",
        "Hämtning/lämning",
        "Skola eller plats",
        "Adress",
        "Resenärer",
        "Rullstolsplatser",
        "Lärarens telefon",
    ),
    Language.FI: (
        "Bussi",
        "Aika",
        "Nouto/jättö",
        "Koulu tai paikka",
        "Osoite",
        "Matkustajat",
        "Pyörätuolipaikat",
        "Opettajan puhelin",
    ),
    Language.EN: (
        "Bus",
        "Time",
        "Pick-up/drop-off",
        "School or venue",
        "Address",
        "Travellers",
        "Wheelchair places",
        "Teacher's phone",
    ),
}
STOP_KINDS = {
    Language.SV: {"pick_up": "hämtning", "drop_off": "lämning"},
    Language.FI: {"pick_up": "nouto", "drop_off": "jättö"},
    Language.EN: {"pick_up": "pick-up", "drop_off": "drop-off"},
}
TITLE = {Language.SV: "Körschema", Language.FI: "Ajolista", Language.EN: "Run sheet"}
REVISION = {Language.SV: "version", Language.FI: "versio", Language.EN: "revision"}
NO_BUSES = {
    Language.SV: "Inga bussar kör den här dagen.",
    Language.FI: "Tänä päivänä ei aja yksikään bussi.",
    Language.EN: "No bus drives on this day.",
}


async def mail_run_sheet(message: BusRunSheetIssued, uow: UnitOfWork) -> None:
    """Once per day and revision, however often the sheet is delivered."""
    sheet = message.payload
    town = (
        await uow.session.execute(
            select(municipality.c.name, municipality.c.language).where(
                municipality.c.municipality_id == message.municipality_id
            )
        )
    ).first()
    if town is None:
        raise NotYet(f"municipality {message.municipality_id} has not reached notify yet")
    operator = str(sheet.operator_email)
    await queue_mail(
        uow,
        municipality_id=message.municipality_id,
        kind=KIND,
        cause_id=cause(KIND, message.municipality_id, sheet.day, sheet.revision),
        subject_id=cause(KIND, message.municipality_id, sheet.day),
        recipient=Recipient(cause("operator", operator), operator, "", town.language),
        context={"municipality": town.name, "sheet": sheet.model_dump(mode="json")},
    )


def _rows(sheet: Mapping[str, Any], language: Language, zone: ZoneInfo) -> list[list[str]]:
    clock = PATTERNS[language].clock
    rows = []
    for bus in sheet["buses"]:
        for stop in bus["stops"]:
            at = datetime.fromisoformat(stop["at"])
            rows.append(
                [
                    bus["bus"],
                    format_datetime(at, clock, tzinfo=zone, locale=LOCALES[language]),
                    STOP_KINDS[language][stop["kind"]],
                    stop["place"],
                    stop.get("address") or "",
                    str(stop["travellers"]),
                    str(stop["wheelchair_places"]),
                    stop.get("teacher_phone") or "",
                ]
            )
    return rows


def _title(sheet: Mapping[str, Any], language: Language, town: str) -> str:
    day = format_date(date.fromisoformat(sheet["day"]), "full", locale=LOCALES[language])
    return f"{TITLE[language]} {town}, {day} ({REVISION[language]} {sheet['revision']})"


def _file_name(sheet: Mapping[str, Any], language: Language) -> str:
    return f"{TITLE[language].lower().replace(' ', '-')}-{sheet['day']}-{sheet['revision']}"


def run_sheet_csv(sheet: Mapping[str, Any], language: Language, zone: ZoneInfo) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS[language])
    writer.writerows(_rows(sheet, language, zone))
    return out.getvalue().encode()


@cache
def _fonts() -> Path:
    """DejaVu Sans as matplotlib's wheel ships it: every Nordic letter, and nothing fetched."""
    found = importlib.util.find_spec("matplotlib")
    assert found is not None and found.submodule_search_locations
    return Path(found.submodule_search_locations[0]) / "mpl-data/fonts/ttf"


def run_sheet_pdf(sheet: Mapping[str, Any], language: Language, zone: ZoneInfo, town: str) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_creator("Kulturbro")
    pdf.set_title(_title(sheet, language, town))
    pdf.add_font("DejaVu", fname=str(_fonts() / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", style="B", fname=str(_fonts() / "DejaVuSans-Bold.ttf"))
    pdf.set_font("DejaVu", size=10)
    pdf.add_page()
    pdf.set_font_size(14)
    pdf.multi_cell(0, 8, _title(sheet, language, town), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(9)
    rows = _rows(sheet, language, zone)
    if not rows:
        pdf.multi_cell(0, 8, NO_BUSES[language], new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
    with pdf.table(col_widths=(16, 12, 30, 42, 50, 22, 30, 30), text_align="LEFT") as table:
        table.row(COLUMNS[language])
        for values in rows:
            table.row(values)
    return bytes(pdf.output())


def run_sheet_files(
    context: Mapping[str, Any], language: Language, time_zone: str
) -> list[Attachment]:
    sheet, zone, name = (
        context["sheet"],
        ZoneInfo(time_zone),
        _file_name(context["sheet"], language),
    )
    return [
        Attachment(f"{name}.csv", "text/csv; charset=utf-8", run_sheet_csv(sheet, language, zone)),
        Attachment(
            f"{name}.pdf",
            "application/pdf",
            run_sheet_pdf(sheet, language, zone, context["municipality"]),
        ),
    ]


RUN_SHEET_MAIL: HandlerTable = {BusRunSheetIssued: [mail_run_sheet]}
