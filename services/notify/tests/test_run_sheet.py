"""The operator's run sheet as it goes out: a mail in the municipality's language with the stops
in order, and the same stops as CSV and PDF, Nordic letters and all."""

import csv
import io
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import SimpleNamespace
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from kulturbro_contracts.vocabulary import Language
from notify.rendering import Renderer
from notify.run_sheet import run_sheet_csv, run_sheet_pdf
from notify.settings import NotifySettings

from .builders import STOCKHOLM, a_run_sheet

ZONE = ZoneInfo(STOCKHOLM)
RENDERER = Renderer(
    NotifySettings(
        kulturbro_env="test", database_url="postgresql://x@h/d", kafka_bootstrap_servers="h:1"
    )
)


def sent(context: dict, language: Language = Language.SV) -> EmailMessage:
    row = SimpleNamespace(
        id=1, kind="bus_run_sheet", language=language.value, name="",
        email="trafik@buss.example", municipality_id="malmo", recipient_id=UUID(int=3),
        booking_id=None, subject_id=UUID(int=100), context=context,
    )  # fmt: skip
    _, raw = RENDERER.render(row, None, STOCKHOLM)  # about no catalog event
    mail = message_from_bytes(raw, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    return mail


def attachment(mail: EmailMessage, suffix: str) -> bytes:
    [part] = [p for p in mail.iter_attachments() if str(p.get_filename()).endswith(suffix)]
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return data


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_csv_has_a_header_and_every_stop_in_order_in_local_time() -> None:
    rows = list(
        csv.reader(io.StringIO(run_sheet_csv(a_run_sheet()["sheet"], Language.SV, ZONE).decode()))
    )
    assert rows[0] == [
        "Buss", "Tid", "Hämtning/lämning", "Skola eller plats", "Adress", "Resenärer",
        "Rullstolsplatser", "Lärarens telefon",
    ]  # fmt: skip
    assert rows[1] == [
        "Buss 2", "09:15", "hämtning", "Ekskolan", "Skolgatan 4", "26", "1", "070-123 45 67",
    ]  # fmt: skip
    assert [row[1] for row in rows[1:]] == ["09:15", "09:40", "11:10", "11:40"]
    assert rows[2][3:5] == ["Stadsteatern", "Östra Rönneholmsvägen 20"] and rows[2][7] == ""


@pytest.mark.parametrize("language", list(Language))
def test_the_pdf_reads_back_with_its_nordic_letters(language: Language) -> None:
    text = pdf_text(run_sheet_pdf(a_run_sheet()["sheet"], language, ZONE, "Malmö Åbo Ärla"))
    assert "Malmö Åbo Ärla" in text
    assert "Östra Rönneholmsvägen 20" in text and "070-123 45 67" in text
    assert ("Rullstolsplatser" if language is Language.SV else "Ekskolan") in text


def test_the_mail_lists_the_stops_and_carries_both_files() -> None:
    mail = sent(a_run_sheet())
    assert mail["Subject"] == "Körschema för kulturbussen tisdag 3 mars 2026"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = str(body.get_content())  # type: ignore[attr-defined]
    assert "- 09:15 hämtning: Ekskolan, Skolgatan 4 – 26 resenärer, 1 rullstolsplatser" in text
    assert "version" not in text
    assert b"Ekskolan" in attachment(mail, ".csv")
    assert "Skolgatan 4" in pdf_text(attachment(mail, ".pdf"))


def test_a_revision_says_it_replaces_the_earlier_sheets_and_an_empty_day_says_so() -> None:
    mail = sent(a_run_sheet(revision=3, buses=0), Language.FI)
    assert mail["Subject"].endswith("versio 3")
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = str(body.get_content())  # type: ignore[attr-defined]
    assert "Tämä on versio 3" in text and "ei aja yksikään bussi" in text
    assert attachment(mail, ".csv").decode().count("\n") == 1  # the header alone
    assert "ei aja yksikään bussi" in pdf_text(attachment(mail, ".pdf"))
