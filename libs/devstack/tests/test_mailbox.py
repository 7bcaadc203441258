"""The mailbox shows what the dev stack's SMTP server received, newest first, and nothing else."""

from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx
import pytest

from kulturbro_devstack.mailbox import mailbox_app
from kulturbro_devstack.smtp import start_smtp

pytestmark = pytest.mark.integration

CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kulturbro//test//SV\r\nBEGIN:VEVENT\r\n"
    "UID:besok-1@kulturbro\r\nDTSTAMP:20250101T090000Z\r\nDTSTART:20250312T090000Z\r\n"
    "SUMMARY:Teaterbesök\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def invitation() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Kulturbro <noreply@kulturbro.example>"
    message["To"] = "anna@skola.example"
    message["Subject"] = 'Inbjudan <script>alert("subject")</script>'
    message.set_content("Hej Anna! Boka här: https://kulturbro.example/boka?e=1.")
    message.add_alternative("<p>Hej <b>Anna</b></p><script>alert('html')</script>", subtype="html")
    message.add_attachment(
        CALENDAR.encode(), maintype="text", subtype="calendar", filename="besök.ics"
    )
    return message


def welcome() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Kulturbro <noreply@kulturbro.example>"
    message["To"] = "Åsa Lärare <asa@skola.example>"
    message["Subject"] = "Välkommen till Kulturbro"
    message.set_content("Hej Åsa, välkommen!")
    return message


@pytest.fixture
async def mailbox(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    maildir = tmp_path / "mail"
    with start_smtp(maildir) as smtp:
        for message in (invitation(), welcome()):
            await aiosmtplib.send(message, hostname=smtp.host, port=smtp.port)
    transport = httpx.ASGITransport(app=mailbox_app(maildir))
    async with httpx.AsyncClient(transport=transport, base_url="http://mailbox") as client:
        yield client


async def ids(mailbox: httpx.AsyncClient) -> tuple[str, str]:
    """The welcome's id, then the invitation's (newest first)."""
    listed = (await mailbox.get("/api/messages")).json()
    return listed[0]["id"], listed[1]["id"]


async def test_the_api_lists_both_mails_newest_first(mailbox: httpx.AsyncClient) -> None:
    listed = (await mailbox.get("/api/messages")).json()

    assert [mail["subject"] for mail in listed] == [
        "Välkommen till Kulturbro",
        'Inbjudan <script>alert("subject")</script>',
    ]
    assert listed[0]["to"] == ["Åsa Lärare <asa@skola.example>"]
    assert listed[0]["received_at"] >= listed[1]["received_at"]
    assert listed[1]["attachments"] == [
        {
            "name": "besök.ics",
            "content_type": "text/calendar",
            "size": len(CALENDAR.encode()),
            "url": f"/messages/{listed[1]['id']}/attachments/0",
        }
    ]


async def test_the_api_filters_by_recipient(mailbox: httpx.AsyncClient) -> None:
    listed = (await mailbox.get("/api/messages", params={"to": "ASA@skola.example"})).json()

    assert [mail["subject"] for mail in listed] == ["Välkommen till Kulturbro"]


async def test_one_mail_has_its_decoded_subject_text_and_html(mailbox: httpx.AsyncClient) -> None:
    welcome_id, invitation_id = await ids(mailbox)

    welcome_mail = (await mailbox.get(f"/api/messages/{welcome_id}")).json()
    invitation_mail = (await mailbox.get(f"/api/messages/{invitation_id}")).json()

    assert welcome_mail["subject"] == "Välkommen till Kulturbro"
    assert welcome_mail["text"] == "Hej Åsa, välkommen!\n"
    assert welcome_mail["html"] is None
    assert invitation_mail["html"].startswith("<p>Hej <b>Anna</b></p>")
    assert ["Subject", 'Inbjudan <script>alert("subject")</script>'] in invitation_mail["headers"]


async def test_the_page_lists_both_newest_first_and_escapes_the_mails(
    mailbox: httpx.AsyncClient,
) -> None:
    page = await mailbox.get("/")

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src" not in page.headers["content-security-policy"]
    assert "<script" not in page.text
    assert "Inbjudan &lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt;" in page.text
    assert page.text.index("Välkommen till Kulturbro") < page.text.index("Inbjudan")
    assert "Åsa Lärare &lt;asa@skola.example&gt;" in page.text


async def test_the_page_filters_by_recipient(mailbox: httpx.AsyncClient) -> None:
    page = await mailbox.get("/", params={"to": "anna@skola.example"})

    assert "Inbjudan" in page.text
    assert "Välkommen" not in page.text


async def test_the_mail_page_shows_subject_text_and_a_sandboxed_html_part(
    mailbox: httpx.AsyncClient,
) -> None:
    welcome_id, invitation_id = await ids(mailbox)

    welcome_page = await mailbox.get(f"/messages/{welcome_id}")
    invitation_page = await mailbox.get(f"/messages/{invitation_id}")
    html_part = await mailbox.get(f"/messages/{invitation_id}/html")

    assert "<h1>Välkommen till Kulturbro</h1>" in welcome_page.text
    assert "Hej Åsa, välkommen!" in welcome_page.text
    assert "<script" not in invitation_page.text
    assert (
        '<a href="https://kulturbro.example/boka?e=1" rel="noreferrer">'
        "https://kulturbro.example/boka?e=1</a>." in invitation_page.text
    )
    assert f'<iframe src="/messages/{invitation_id}/html"' in invitation_page.text
    assert "sandbox" in invitation_page.text
    assert html_part.text.startswith("<p>Hej <b>Anna</b></p>")
    assert "script-src" not in html_part.headers["content-security-policy"]
    assert "sandbox" in html_part.headers["content-security-policy"]
    assert (await mailbox.get(f"/messages/{welcome_id}/html")).status_code == 404


async def test_the_calendar_attachment_downloads_with_its_content_type(
    mailbox: httpx.AsyncClient,
) -> None:
    _, invitation_id = await ids(mailbox)

    ics = await mailbox.get(f"/messages/{invitation_id}/attachments/0")

    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.headers["content-disposition"] == "attachment; filename*=utf-8''bes%C3%B6k.ics"
    assert ics.text == CALENDAR


async def test_the_raw_mail_downloads_as_it_was_received(
    mailbox: httpx.AsyncClient, tmp_path: Path
) -> None:
    welcome_id, _ = await ids(mailbox)

    raw = await mailbox.get(f"/messages/{welcome_id}.eml")

    assert raw.headers["content-type"] == "message/rfc822"
    assert raw.content == (tmp_path / "mail" / f"{welcome_id}.eml").read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/messages/no-such-mail",
        "/messages/%2E%2E",
        "/messages/..%2Fx",
        "/messages/..%2F..%2Fetc%2Fpasswd.eml",
        "/messages/{invitation}/attachments/1",
        "/nowhere",
    ],
)
async def test_what_is_not_a_mail_of_the_maildir_is_not_found(
    mailbox: httpx.AsyncClient, path: str
) -> None:
    _, invitation_id = await ids(mailbox)

    page = await mailbox.get(path.format(invitation=invitation_id))

    assert page.status_code == 404
    assert "<h1>Not found</h1>" in page.text


@pytest.mark.parametrize(
    ("mail_id", "detail"),
    [
        ("no-such-mail", "no mail with id 'no-such-mail' (GET /api/messages lists them)"),
        ("%2E%2E", "no mail with id '..' (GET /api/messages lists them)"),
        (".x.tmp", "no mail with id '.x.tmp' (GET /api/messages lists them)"),
        ("..%2Fx", "no page at /api/messages/../x; the mails are listed at /"),
    ],
)
async def test_the_api_says_what_it_did_not_find(
    mailbox: httpx.AsyncClient, mail_id: str, detail: str
) -> None:
    answer = await mailbox.get(f"/api/messages/{mail_id}")

    assert answer.status_code == 404
    assert answer.json() == {"detail": detail}
