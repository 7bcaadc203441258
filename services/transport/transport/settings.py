"""The transport service's settings: where its road distances come from."""

from pydantic import Field, field_validator

from kulturbro_runtime import ServiceSettings


class TransportSettings(ServiceSettings):
    # An OSRM server's base URL (its table API); unset or empty: the straight line x 1.3.
    osrm_url: str | None = None
    osrm_timeout_seconds: float = Field(default=5.0, gt=0, le=60)

    @field_validator("osrm_url")
    @classmethod
    def _unset_when_empty(cls, url: str | None) -> str | None:
        return url.rstrip("/") or None if url else None
