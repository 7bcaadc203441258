"""The gateway's settings: where the services are, token lifetimes, limits."""

from pydantic import AnyHttpUrl, Field

from kulturbro_runtime import ServiceSettings


class GatewaySettings(ServiceSettings):
    # Each service's base URL, e.g. {"directory": "http://directory:8001", ...} as JSON.
    gateway_routes: dict[str, AnyHttpUrl] = Field(default_factory=dict)
    # The web pages' service: every path the gateway does not answer itself goes there.
    web_url: AnyHttpUrl | None = None
    public_url: str = "http://127.0.0.1:8000"
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    magic_link_minutes: int = 15
    # Who did what is kept five years, as public-sector audit asks (365 * 5 + 1 leap day).
    audit_retention_days: int = Field(default=1826, ge=1, le=36500)
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = 1_048_576
    upstream_timeout_seconds: float = 10.0
    rate_limit_per_minute: int = 600
    # Sign-in attempts (passwords and asking for links): tight per account, against guessing one
    # password; loose per address, which every teacher of a school may share.
    sign_in_attempts_per_account_per_minute: int = 5
    sign_in_attempts_per_address_per_minute: int = 300
    # An external OpenID Connect identity provider that municipalities federate staff logins from.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
