"""Mail through the SMTP server named by SMTP_URL."""

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


async def send_now(settings: NotifySettings, sender: str, to: str, raw: bytes) -> None:
    """One mail on a connection of its own, for mail that cannot wait for the delivery log."""
    async with smtp_client(settings) as smtp:
        await smtp.sendmail(sender, [to], raw)
