"""Copies of the municipalities (the directory's) and the organizers (the catalog's), so that an
account is given only to one that exists.

Municipalities registered before this copy was kept are known once the gateway's consumer group
reads the directory's topic again from its start (the inbox keeps that from repeating anything
else), or at their next MunicipalityUpdated; the catalog's topic is new to the group and so read
from its start anyway."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from kulturbro_replicas.municipalities import create_municipality_replica

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    create_municipality_replica()
    op.create_table(
        "replica_organizer",
        sa.Column("organizer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("municipality_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("organizer_id", "municipality_id", name="replica_organizer_pkey"),
    )
