"""The dev stack's mailbox: a web page and JSON API over the SMTP server's maildir."""

import argparse
import email
import email.policy
import mimetypes
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address, AddressHeader
from email.message import MIMEPart
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

# As the SMTP server names them: nanoseconds since the epoch at arrival, then a sequence number.
_MAIL_FILE = re.compile(r"(?P<received_ns>\d+)-(?P<sequence>\d+)\.eml")
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_CHARSET = re.compile(r"[A-Za-z0-9._:-]+")
_LINK = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)\]]")

# Mail content is untrusted: our pages run no script at all, and a mail's own HTML is shown only
# in a sandbox where it cannot run script either.
_PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_MAIL_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; "
    "sandbox allow-popups allow-popups-to-escape-sandbox"
)
_DOWNLOAD_POLICY = "default-src 'none'; sandbox"
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 70rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; }
th, td { vertical-align: top; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: 1rem; }
iframe { width: 100%; height: 32rem; border: 1px solid #ddd; }
.muted { color: #666; }
"""


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    # Served as the bytes it is, so with the charset it names.
    media_type: str
    content: bytes


@dataclass(frozen=True)
class Mail:
    id: str
    received_at: datetime
    sender: str
    to: tuple[Address, ...]
    subject: str
    headers: tuple[tuple[str, str], ...]
    text: str | None
    html: str | None
    attachments: tuple[Attachment, ...]

    def is_to(self, address: str) -> bool:
        return any(to.addr_spec.casefold() == address.strip().casefold() for to in self.to)


def _mail_files(maildir: Path) -> dict[str, Path]:
    """The maildir's mails by id, newest first; only these ids are ever read."""
    found = (_MAIL_FILE.fullmatch(path.name) for path in maildir.glob("*.eml"))
    newest_first = sorted(
        (match for match in found if match),
        key=lambda match: (int(match["received_ns"]), int(match["sequence"])),
        reverse=True,
    )
    return {Path(match.string).stem: maildir / match.string for match in newest_first}


def _parsed(mail_id: str, raw: bytes) -> Mail:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    leaves = [
        part
        for part in message.walk()
        if not part.is_multipart() and part is not text_part and part is not html_part
    ]
    to = message.get("To")
    received_ns = int(mail_id.partition("-")[0])
    return Mail(
        id=mail_id,
        received_at=datetime.fromtimestamp(received_ns / 1e9, UTC),
        sender=str(message.get("From", "")),
        to=tuple(to.addresses) if isinstance(to, AddressHeader) else (),
        subject=str(message.get("Subject", "")),
        headers=tuple((name, str(value)) for name, value in message.items()),
        text=_text_of(text_part),
        html=_text_of(html_part),
        attachments=tuple(_attachment(number, part) for number, part in enumerate(leaves)),
    )


def _text_of(part: MIMEPart | None) -> str | None:
    if part is None:
        return None
    try:
        content = part.get_content()
    except LookupError:  # a charset Python does not know
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    # Lines end in CRLF on the wire; that is the transport's, not the text's.
    return content.replace("\r\n", "\n") if isinstance(content, str) else ""


def _attachment(number: int, part: MIMEPart) -> Attachment:
    content_type = part.get_content_type()
    if not _MEDIA_TYPE.fullmatch(content_type):
        content_type = "application/octet-stream"
    charset = part.get_content_charset()
    extension = mimetypes.guess_extension(content_type) or ".bin"
    payload = part.get_payload(decode=True)
    return Attachment(
        name=part.get_filename() or f"part-{number + 1}{extension}",
        content_type=content_type,
        media_type=(
            f"{content_type}; charset={charset}"
            if charset and _CHARSET.fullmatch(charset)
            else content_type
        ),
        content=payload if isinstance(payload, bytes) else b"",
    )


def _maildir(request: Request) -> Path:
    maildir: Path = request.app.state.maildir
    return maildir


def _mails(request: Request) -> list[Mail]:
    to = request.query_params.get("to", "")
    files = _mail_files(_maildir(request))
    mails = []
    for mail_id, path in files.items():
        try:
            mail = _parsed(mail_id, path.read_bytes())
        except FileNotFoundError:  # deleted since the listing
            continue
        if not to or mail.is_to(to):
            mails.append(mail)
    return mails


def _mail_raw(request: Request) -> tuple[str, bytes]:
    mail_id: str = request.path_params["mail_id"]
    path = _mail_files(_maildir(request)).get(mail_id)
    try:
        if path is not None:
            return mail_id, path.read_bytes()
    except FileNotFoundError:  # deleted since the listing
        pass
    raise HTTPException(404, f"no mail with id {mail_id!r} (GET /api/messages lists them)")


def _mail(request: Request) -> Mail:
    return _parsed(*_mail_raw(request))


def _summary(mail: Mail) -> dict[str, Any]:
    return {
        "id": mail.id,
        "received_at": mail.received_at.isoformat(),
        "from": mail.sender,
        "to": [str(address) for address in mail.to],
        "subject": mail.subject,
        "attachments": [
            {
                "name": attachment.name,
                "content_type": attachment.content_type,
                "size": len(attachment.content),
                "url": f"/messages/{mail.id}/attachments/{number}",
            }
            for number, attachment in enumerate(mail.attachments)
        ],
    }


def api_messages(request: Request) -> JSONResponse:
    return JSONResponse([_summary(mail) for mail in _mails(request)])


def api_message(request: Request) -> JSONResponse:
    mail = _mail(request)
    headers = [list(header) for header in mail.headers]
    return JSONResponse(_summary(mail) | {"headers": headers, "text": mail.text, "html": mail.html})


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    document = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )
    return HTMLResponse(
        document,
        status_code=status_code,
        headers={
            "Content-Security-Policy": _PAGE_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def _linked(text: str) -> str:
    """Escaped text with its web addresses as links (sign-in links are meant to be followed)."""
    pieces, end = [], 0
    for match in _LINK.finditer(text):
        url = escape(match.group())
        pieces += [escape(text[end : match.start()]), f'<a href="{url}" rel="noreferrer">{url}</a>']
        end = match.end()
    pieces.append(escape(text[end:]))
    return "".join(pieces)


def _received(mail: Mail) -> str:
    shown = mail.received_at.strftime("%Y-%m-%d %H:%M:%S")
    return f'<time datetime="{mail.received_at.isoformat()}">{shown}</time>'


def mailbox_page(request: Request) -> HTMLResponse:
    to = request.query_params.get("to", "")
    mails = _mails(request)
    rows = "".join(
        f"<tr><td>{_received(mail)}</td><td>{escape(mail.sender)}</td>"
        f"<td>{escape(', '.join(str(address) for address in mail.to))}</td>"
        f'<td><a href="/messages/{mail.id}">{escape(mail.subject or "(no subject)")}</a></td>'
        f"<td>{escape(', '.join(attachment.name for attachment in mail.attachments))}</td></tr>"
        for mail in mails
    )
    shown = f"{len(mails)} mail{'' if len(mails) == 1 else 's'}{f' to {escape(to)}' if to else ''}"
    listing = (
        "<table><thead><tr><th>Received (UTC)</th><th>From</th><th>To</th><th>Subject</th>"
        f"<th>Attachments</th></tr></thead><tbody>{rows}</tbody></table>"
        if mails
        else '<p class="muted">No mail yet. Mails Kulturbro sends appear here; reload the page.</p>'
    )
    return _page(
        "Mails sent by Kulturbro",
        "<h1>Mails sent by Kulturbro</h1>"
        '<form method="get" action="/"><label>To <input name="to" type="email" '
        f'value="{escape(to)}"></label> <button>Show</button> <a href="/">all mails</a></form>'
        f'<p class="muted">{shown}, newest first, kept in '
        f"{escape(str(_maildir(request)))}. As JSON: "
        f'<a href="/api/messages{escape("?" + urlencode({"to": to}) if to else "")}">'
        "/api/messages</a></p>"
        f"{listing}",
    )


def message_page(request: Request) -> HTMLResponse:
    mail = _mail(request)
    headers = "".join(
        f"<tr><th>{escape(name)}</th><td>{escape(value)}</td></tr>" for name, value in mail.headers
    )
    attachments = "".join(
        f'<li><a href="/messages/{mail.id}/attachments/{number}">{escape(attachment.name)}</a> '
        f'<span class="muted">{escape(attachment.content_type)}, '
        f"{len(attachment.content)} bytes</span></li>"
        for number, attachment in enumerate(mail.attachments)
    )
    sections = [
        f"<h2>Attachments</h2><ul>{attachments}</ul>" if attachments else "",
        f"<h2>Text</h2><pre>{_linked(mail.text)}</pre>" if mail.text is not None else "",
        f'<h2>HTML</h2><iframe src="/messages/{mail.id}/html" title="the mail as HTML" '
        'sandbox="allow-popups allow-popups-to-escape-sandbox"></iframe>'
        if mail.html is not None
        else "",
    ]
    subject = escape(mail.subject or "(no subject)")
    return _page(
        mail.subject or "(no subject)",
        f'<p><a href="/">All mails</a> · <a href="/messages/{mail.id}.eml">the .eml file</a> · '
        f'<a href="/api/messages/{mail.id}">as JSON</a></p><h1>{subject}</h1>'
        f"<table><tbody><tr><th>Received (UTC)</th><td>{_received(mail)}</td></tr>"
        f"<tr><th>From</th><td>{escape(mail.sender)}</td></tr>"
        f"<tr><th>To</th><td>{escape(', '.join(str(address) for address in mail.to))}</td></tr>"
        "</tbody></table>"
        f"<details><summary>All headers</summary><table><tbody>{headers}</tbody></table></details>"
        + "".join(sections),
    )


def message_html(request: Request) -> HTMLResponse:
    mail = _mail(request)
    if mail.html is None:
        raise HTTPException(404, f"mail {mail.id} has no HTML part")
    return HTMLResponse(
        mail.html,
        headers={"Content-Security-Policy": _MAIL_HTML_POLICY, "X-Content-Type-Options": "nosniff"},
    )


def message_attachment(request: Request) -> Response:
    mail = _mail(request)
    number: int = request.path_params["number"]
    if number >= len(mail.attachments):
        raise HTTPException(
            404, f"mail {mail.id} has no attachment {number} (it has {len(mail.attachments)})"
        )
    attachment = mail.attachments[number]
    return _download(attachment.content, attachment.media_type, attachment.name)


def message_eml(request: Request) -> Response:
    mail_id, raw = _mail_raw(request)
    return _download(raw, "message/rfc822", f"{mail_id}.eml")


def _download(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=utf-8''{quote(name, safe='')}",
            "Content-Security-Policy": _DOWNLOAD_POLICY,
            "X-Content-Type-Options": "nosniff",
        },
    )


def readyz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ready", "service": "mailbox"})


def no_such_page(request: Request) -> Response:
    raise HTTPException(404, f"no page at {request.url.path}; the mails are listed at /")


def not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path.split("/")[1] == "api":
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    return _page(
        "Not found",
        f'<h1>Not found</h1><p>{escape(exc.detail)}</p><p><a href="/">All mails</a></p>',
        status_code=exc.status_code,
    )


def mailbox_app(maildir: Path) -> Starlette:
    app = Starlette(
        routes=[
            Route("/", mailbox_page),
            Route("/messages/{mail_id}.eml", message_eml),
            Route("/messages/{mail_id}/html", message_html),
            Route("/messages/{mail_id}/attachments/{number:int}", message_attachment),
            Route("/messages/{mail_id}", message_page),
            Route("/api/messages", api_messages),
            Route("/api/messages/{mail_id}", api_message),
            Route("/readyz", readyz),
            Route("/{path:path}", no_such_page),
        ],
        exception_handlers={HTTPException: not_found},
    )
    app.state.maildir = maildir
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a page listing the mails in a maildir.")
    parser.add_argument("--maildir", type=Path, default=Path(".kulturbro/mail"))
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args(argv)
    uvicorn.run(mailbox_app(args.maildir.resolve()), host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
