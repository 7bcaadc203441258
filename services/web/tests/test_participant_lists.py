"""An occurrence's participant list as CSV and XLSX: the columns in the reader's language, the
numbers as numbers, and a teacher's note never run as a formula by a spreadsheet."""

import csv
import io
import zipfile
from uuid import uuid4

from kulturbro_contracts.vocabulary import Language
from web.i18n import translations
from web.participant_lists import as_csv, as_xlsx
from web.platform import Participant

GROUPS = [
    Participant(
        booking_id=uuid4(),
        group_name="2B",
        unit_name="Åsens skola",
        pupils=24,
        adults=2,
        wheelchair_places=1,
        wants_bus=True,
        note='=HYPERLINK("http://evil.example")',
    ),
    Participant(
        booking_id=uuid4(),
        group_name="-3A",
        unit_name=None,
        pupils=20,
        adults=3,
        wheelchair_places=0,
        wants_bus=False,
        note="",
    ),
]


def test_the_csv_opens_in_excel_with_the_readers_words_and_no_formula() -> None:
    finnish = translations(Language.FI).gettext
    data = as_csv(GROUPS, finnish)
    assert data.startswith("\ufeff".encode())  # Excel reads the UTF-8 as UTF-8
    header, first, second = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[0] == finnish("School") and header[0] != "School"
    assert first == ["Åsens skola", "2B", "24", "2", "1", finnish("Yes"), first[6]]
    assert first[6].startswith("'=")
    assert second[:2] == ["", "'-3A"]


def test_the_xlsx_is_a_workbook_with_every_group() -> None:
    swedish = translations(Language.SV).gettext
    data = as_xlsx(GROUPS, swedish, "Pippi på scen")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "Åsens skola" in strings and swedish("Wheelchair places") in strings
    assert "<f>" not in sheet  # no cell is a formula
    assert "<v>24</v>" in sheet  # pupils stay a number
