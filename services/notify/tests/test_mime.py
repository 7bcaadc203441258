"""The message bytes, read back by Python's e-mail parser as a mail program would read them."""

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage

from hypothesis import given
from hypothesis import strategies as st

from notify.mime import mail_bytes

TEXT = "Hej Åsa!\n\nPippi på scen – tisdag 3 mars kl. 10:00.\n" + "Lång rad " * 200 + "\n"
HTML = "<!DOCTYPE html><p>Hej Åsa!</p><p>" + "Lång rad " * 200 + "</p>"
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def raw_mail(**changes: object) -> bytes:
    fields: dict[str, object] = {
        "sender": "Kulturbro Malmö <noreply@kulturbro.example>",
        "to": "asa@ekskolan.example",
        "to_name": "Åsa Öberg",
        "subject": "Bokningen är bekräftad: Pippi på scen",
        "text": TEXT,
        "html": HTML,
        "message_id": "2f0c3c1e@kulturbro.example",
        "date": datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
    }
    return mail_bytes(**(fields | changes))  # type: ignore[arg-type]


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def content(part: object) -> str:
    assert isinstance(part, EmailMessage)
    text = part.get_content()
    assert isinstance(text, str)
    return text.replace("\r\n", "\n")


def test_the_headers_read_back() -> None:
    message = parsed(raw_mail())

    assert message["Subject"] == "Bokningen är bekräftad: Pippi på scen"
    assert message["From"].addresses[0].display_name == "Kulturbro Malmö"
    assert message["From"].addresses[0].addr_spec == "noreply@kulturbro.example"
    assert message["To"].addresses[0].display_name == "Åsa Öberg"
    assert message["To"].addresses[0].addr_spec == "asa@ekskolan.example"
    assert message["Message-ID"] == "<2f0c3c1e@kulturbro.example>"
    assert message["Date"].datetime == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert message["MIME-Version"] == "1.0"
    assert message["Auto-Submitted"] == "auto-generated"
    assert not message.defects


def test_text_and_html_are_alternatives_that_decode_to_what_was_given() -> None:
    message = parsed(raw_mail())

    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.iter_parts()
    assert plain.get_content_type() == "text/plain" and plain.get_content_charset() == "utf-8"
    assert html.get_content_type() == "text/html" and html.get_content_charset() == "utf-8"
    assert content(plain) == TEXT
    assert content(html) == HTML
    assert content(message.get_body(("html", "plain"))) == HTML
    assert list(message.iter_attachments()) == []


def test_a_calendar_comes_as_an_ics_part_next_to_the_alternatives() -> None:
    message = parsed(raw_mail(calendar=ICS, calendar_method="CANCEL"))

    assert message.get_content_type() == "multipart/mixed"
    assert content(message.get_body(("plain",))) == TEXT
    assert content(message.get_body(("html",))) == HTML
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "CANCEL"
    assert attachment.get_content_charset() == "utf-8"
    assert attachment.get_filename() == "kulturbro.ics"
    assert attachment.get_payload(decode=True) == ICS


def test_every_line_is_short_and_ends_in_crlf() -> None:
    raw = raw_mail(
        calendar=ICS,
        subject="Ett mycket långt ämne " * 10,
        to_name="Anna-Karin Östergren-Väänänen av Mälardalens Förskoleförvaltning",
    )

    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 78
    assert all(b"\n" not in line and b"\r" not in line for line in lines)


def test_a_long_ascii_subject_is_folded_and_unfolds_to_itself() -> None:
    subject = "New in the culture programme for your groups: " + "a very long title " * 6

    raw = raw_mail(subject=subject)

    header = raw[raw.index(b"\r\nSubject: ") + 2 : raw.index(b"\r\nDate: ")].split(b"\r\n")
    assert len(header) == 3 and all(line.startswith(b" very") for line in header[1:])
    assert parsed(raw)["Subject"] == subject.strip()


def test_a_line_break_in_a_subject_or_name_adds_no_header() -> None:
    message = parsed(raw_mail(subject="Hej\r\nBcc: eve@example.com", to_name="Åsa\nBcc: eve"))

    assert message["Bcc"] is None
    assert message["Subject"] == "Hej Bcc: eve@example.com"
    assert message["To"].addresses[0].display_name == "Åsa Bcc: eve"


def test_a_name_with_special_characters_is_quoted() -> None:
    message = parsed(raw_mail(to_name='Berg, Anna "3B"', sender="noreply@kulturbro.example"))

    assert message["To"].addresses[0].display_name == 'Berg, Anna "3B"'
    assert message["From"].addresses[0].addr_spec == "noreply@kulturbro.example"


def test_the_given_message_id_is_kept_in_angle_brackets() -> None:
    assert parsed(raw_mail(message_id="<abc@k.example>"))["Message-ID"] == "<abc@k.example>"


words = st.text(
    st.characters(categories=["L", "N", "P", "S", "Zs"], exclude_characters="\x85\xa0"),
    min_size=1,
    max_size=200,
)


@given(subject=words, text=st.text(st.characters(categories=["L", "N", "P", "Zs", "Cc"])))
def test_any_subject_and_text_come_back(subject: str, text: str) -> None:
    message = parsed(raw_mail(subject=subject, text=text))

    assert message["Subject"] == " ".join(subject.split())
    assert content(message.get_body(("plain",))) == text.replace("\r\n", "\n")


def test_extra_headers_such_as_one_click_unsubscribe_read_back() -> None:
    link = "<https://kulturbro.example/api/directory/unsubscribe?token=" + "x" * 120 + ">"
    one_click = ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
    mail = parsed(raw_mail(extra_headers=[("List-Unsubscribe", link), one_click]))

    assert mail["List-Unsubscribe"] == link
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.get_body(preferencelist=("plain",)) is not None, "the body still follows"
