"""Settings every service reads from its environment, refused at start when wrong."""

import json
import sys
from collections.abc import Mapping
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    kulturbro_env: Literal["development", "test", "production"] = "production"
    database_url: str
    kafka_bootstrap_servers: str
    redis_url: str = "redis://127.0.0.1:6379/0"
    kulturbro_secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    http_host: str = "0.0.0.0"
    http_port: int = 8000
    db_schema: str | None = None
    # Connections each process keeps open to PostgreSQL, and as many again at a peak: every
    # replica of every service shares the server's max_connections.
    database_pool_size: int = Field(default=10, ge=1, le=100)
    topic_prefix: str = "kulturbro"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    otel_exporter_otlp_endpoint: str | None = None
    consumer_max_retries: int = 3
    consumer_retry_backoff_seconds: float = 0.2
    outbox_poll_seconds: float = 1.0
    # How often the service's retention jobs erase what has run out (kulturbro_runtime.retention).
    retention_interval_seconds: float = 3600.0

    @field_validator("database_url")
    @classmethod
    def _postgres(cls, url: str) -> str:
        if not url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
            raise ValueError(
                "must be a postgresql:// URL, e.g. postgresql://user@host:5432/kulturbro"
            )
        return url

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _host_port(cls, servers: str) -> str:
        if not all(":" in s for s in servers.split(",")):
            raise ValueError("must be host:port[,host:port...], e.g. kafka:9092")
        return servers

    @model_validator(mode="after")
    def _real_secret_outside_development(self) -> "ServiceSettings":
        secret = self.kulturbro_secret_key.get_secret_value()
        if self.kulturbro_env == "production" and (
            secret == PLACEHOLDER_SECRET or len(secret) < 32
        ):
            raise ValueError(
                "KULTURBRO_SECRET_KEY: set a random secret of at least 32 characters in production"
            )
        return self


S = TypeVar("S", bound=ServiceSettings)


def load_settings(cls: type[S], service: str) -> S:
    """Read the settings, or stop with one line per wrong variable naming what is wrong."""
    try:
        return cls()
    except ValidationError as error:
        for problem in error.errors():
            variable = "_".join(str(part) for part in problem["loc"]).upper()
            where = f"{variable}: " if variable else ""
            message = problem["msg"].removeprefix("Value error, ")
            sys.stderr.write(f"kulturbro {service}: setting {where}{message}\n")
        raise SystemExit(2) from None


def settings_from(cls: type[S], env: Mapping[str, str]) -> S:
    """Settings from an explicit environment (the dev stack, tests) instead of the process's own.

    Like environment variables, lists and mappings are given as JSON."""
    values: dict[str, object] = {}
    for key, value in env.items():
        field = cls.model_fields.get(key.lower())
        complex_value = field is not None and field.annotation is not str and value[:1] in "[{"
        values[key.lower()] = json.loads(value) if complex_value else value
    return cls.model_validate(values)
