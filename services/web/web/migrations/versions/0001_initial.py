"""The web schema's first version: its outbox and inbox, which the runtime expects; the pages
keep no data of their own."""

from kulturbro_runtime.messaging_tables import create_messaging_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_messaging_tables()
