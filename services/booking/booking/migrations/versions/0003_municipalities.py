"""A copy of the municipalities: a booking-window refusal tells the time as people there do."""

from kulturbro_replicas.municipalities import create_municipality_replica

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    create_municipality_replica()
