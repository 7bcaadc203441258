"""Seat pools, requests and their decisions, draws; replicas of the directory and catalog."""

from alembic import op

from allocation.db import metadata
from kulturbro_replicas.catalog import create_catalog_replica
from kulturbro_replicas.directory import create_directory_replica

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    create_directory_replica()
    create_catalog_replica()
    metadata.create_all(op.get_bind())
