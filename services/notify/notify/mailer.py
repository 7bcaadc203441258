"""Sending one e-mail through the SMTP server named by SMTP_URL."""

from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

from notify.settings import NotifySettings


async def send_mail(settings: NotifySettings, to: str, subject: str, text: str) -> None:
    server = urlsplit(settings.smtp_url)
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    await aiosmtplib.send(
        message,
        hostname=server.hostname or "127.0.0.1",
        port=server.port or (465 if server.scheme == "smtps" else 25),
        username=unquote(server.username) if server.username else None,
        password=unquote(server.password) if server.password else None,
        use_tls=server.scheme == "smtps",
        start_tls=None
        if server.scheme == "smtps"
        else False
        if server.hostname in ("127.0.0.1", "localhost")
        else None,
        timeout=settings.smtp_timeout_seconds,
    )
