"""The catalog service: organizers publish events with occurrences for target groups."""

from pathlib import Path

from catalog import handlers
from catalog.api import ROUTERS
from kulturbro_runtime import Service

service = Service(
    name="catalog",
    description="Organizers publish events with occurrences for target groups.",
    migrations=Path(__file__).with_name("migrations") / "versions",
    handlers=handlers.HANDLERS,
    routers=ROUTERS,
)
