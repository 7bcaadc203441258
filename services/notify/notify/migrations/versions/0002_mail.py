"""The delivery log, notify's own copies, and replicas of the directory and catalog."""

from alembic import op

from kulturbro_replicas.catalog import create_catalog_replica
from kulturbro_replicas.directory import create_directory_replica
from kulturbro_replicas.teachers import create_teacher_replica
from notify.db import metadata

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    create_directory_replica()
    create_teacher_replica()
    create_catalog_replica()
    metadata.create_all(op.get_bind())
