"""Mail through the SMTP server named by SMTP_URL: one connection reused for many messages."""

from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

from notify.settings import NotifySettings


def smtp_client(settings: NotifySettings) -> aiosmtplib.SMTP:
    server = urlsplit(settings.smtp_url)
    return aiosmtplib.SMTP(
        hostname=server.hostname or "127.0.0.1",
        port=server.port or (465 if server.scheme == "smtps" else 25),
        username=unquote(server.username) if server.username else None,
        password=unquote(server.password) if server.password else None,
        use_tls=server.scheme == "smtps",
        timeout=settings.smtp_timeout_seconds,
    )


def message(settings: NotifySettings, to: str, subject: str, text: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = to
    mail["Subject"] = subject
    mail.set_content(text)
    return mail


async def send_mail(settings: NotifySettings, to: str, subject: str, text: str) -> None:
    async with smtp_client(settings) as smtp:
        await smtp.send_message(message(settings, to, subject, text))
