"""A group's bookings found by the group: those refused a bus for its one trip a school year are
planned again when the trip is freed."""

from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_index("ix_bus_booking_group_id", "bus_booking", ["group_id"])
