"""The notify service's settings: where mail goes out, how fast, and when teachers hear what."""

from pathlib import Path

from pydantic import Field

from kulturbro_runtime import ServiceSettings


class NotifySettings(ServiceSettings):
    smtp_url: str = "smtp://127.0.0.1:1025"
    mail_from: str = "Kulturbro <no-reply@kulturbro.example>"
    smtp_timeout_seconds: float = 30.0
    smtp_connections: int = Field(default=8, ge=1, le=64, description="parallel, per process")
    mails_per_second: float = Field(default=0, ge=0, description="per process; 0 = no limit")
    public_url: str = "http://127.0.0.1:8000"
    reminder_days_before: int = Field(default=3, ge=0, le=60)
    organizer_summary_seconds: int = Field(default=3600, ge=1)
    schedule_tick_seconds: float = Field(default=30, gt=0)
    # The delivery log keeps who was sent what; the mail's body only this long.
    mail_body_retention_days: int = Field(default=90, ge=1, le=3650)
    # A municipality's own wording: <dir>/<municipality>/<language>/<kind>.txt.j2 and .html.j2.
    template_dir: Path | None = None
