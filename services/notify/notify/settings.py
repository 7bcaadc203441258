"""The notify service's settings: where mail goes out."""

from kulturbro_runtime import ServiceSettings


class NotifySettings(ServiceSettings):
    smtp_url: str = "smtp://127.0.0.1:1025"
    mail_from: str = "Kulturbro <no-reply@kulturbro.example>"
    smtp_timeout_seconds: float = 30.0
