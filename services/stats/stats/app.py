"""The stats service: participation, reach and equity per school, district and grade."""

from pathlib import Path

from kulturbro_runtime import Service
from stats import handlers
from stats.api import ROUTERS
from stats.api.common import configure

service = Service(
    name="stats",
    description="Participation, reach and equity per school, district and grade.",
    migrations=Path(__file__).with_name("migrations") / "versions",
    handlers=handlers.HANDLERS,
    routers=ROUTERS,
    configure=configure,
)
