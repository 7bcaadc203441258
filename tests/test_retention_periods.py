"""The periods the services keep personal data for by default (PRIVACY.md)."""

from datetime import UTC, datetime

from directory.retention import DirectorySettings
from gateway.settings import GatewaySettings
from kulturbro_runtime.retention import kept_since
from notify.settings import NotifySettings

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
SERVERS = {"database_url": "postgresql://db/kulturbro", "kafka_bootstrap_servers": "kafka:9092"}


def test_the_periods_public_sector_data_protection_asks_for() -> None:
    env = SERVERS | {"kulturbro_env": "test"}
    directory = DirectorySettings.model_validate(env)
    notify = NotifySettings.model_validate(env)
    gateway = GatewaySettings.model_validate(env)

    assert directory.teacher_contact_retention_days == 730, "two years after leaving"
    assert notify.mail_body_retention_days == 90
    five_years_ago = NOW.replace(year=NOW.year - 5)
    assert kept_since(NOW, gateway.audit_retention_days) <= five_years_ago, "at least five years"
