"""The web's settings: where the platform's API is, how its sessions are kept, and the
municipality's own identity provider, if there is one."""

from pydantic import AnyHttpUrl, SecretStr, model_validator

from kulturbro_runtime import ServiceSettings
from web.oidc import CALLBACK_PATH, Provider


class WebSettings(ServiceSettings):
    # The gateway, which the pages call like any other client of the platform.
    gateway_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")
    platform_timeout_seconds: float = 10.0
    # Where a visitor without a municipality of their own is sent from the start page.
    default_municipality: str | None = None
    # Where browsers reach Kulturbro (the gateway's address): an identity provider sends its
    # readers back here.
    public_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")
    # An OpenID Connect provider staff sign in at: all four set, or none (no button).
    oidc_provider_name: str | None = None
    oidc_authorization_endpoint: AnyHttpUrl | None = None
    oidc_token_endpoint: AnyHttpUrl | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None

    @property
    def secure_cookies(self) -> bool:
        """Over plain HTTP on a developer's machine a Secure cookie would never come back."""
        return self.kulturbro_env == "production"

    @model_validator(mode="after")
    def _a_whole_provider_or_none(self) -> "WebSettings":
        given = {
            "OIDC_PROVIDER_NAME": self.oidc_provider_name,
            "OIDC_AUTHORIZATION_ENDPOINT": self.oidc_authorization_endpoint,
            "OIDC_TOKEN_ENDPOINT": self.oidc_token_endpoint,
            "OIDC_CLIENT_ID": self.oidc_client_id,
        }
        if any(given.values()) and self.identity_provider is None:
            missing = ", ".join(name for name, value in given.items() if not value)
            raise ValueError(f"set {missing} as well, or no OIDC_ setting at all")
        return self

    @property
    def identity_provider(self) -> Provider | None:
        if not (
            self.oidc_provider_name
            and self.oidc_authorization_endpoint
            and self.oidc_token_endpoint
            and self.oidc_client_id
        ):
            return None
        secret = self.oidc_client_secret
        return Provider(
            name=self.oidc_provider_name,
            authorization_endpoint=str(self.oidc_authorization_endpoint),
            token_endpoint=str(self.oidc_token_endpoint),
            client_id=self.oidc_client_id,
            client_secret=secret.get_secret_value() if secret else None,
            redirect_uri=str(self.public_url).rstrip("/") + CALLBACK_PATH,
        )
