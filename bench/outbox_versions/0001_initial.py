"""The benchmark schema: an outbox and an inbox, nothing else."""

from kulturbro_runtime.messaging_tables import create_messaging_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_messaging_tables()
