"""The web's settings: where the platform's API is, and how its sessions are kept."""

from pydantic import AnyHttpUrl

from kulturbro_runtime import ServiceSettings


class WebSettings(ServiceSettings):
    # The gateway, which the pages call like any other client of the platform.
    gateway_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")
    platform_timeout_seconds: float = 10.0
    # Where a visitor without a municipality of their own is sent from the start page.
    default_municipality: str | None = None

    @property
    def secure_cookies(self) -> bool:
        """Over plain HTTP on a developer's machine a Secure cookie would never come back."""
        return self.kulturbro_env == "production"
