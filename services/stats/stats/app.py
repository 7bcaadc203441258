"""The stats service: participation, reach and equity per school, district and grade."""

from pathlib import Path

from kulturbro_runtime import Service
from stats import handlers
from stats.api import ROUTERS
from stats.api.common import refuse_unknown
from stats.open_counts import keep_fresh

service = Service(
    name="stats",
    description="Participation, reach and equity per school, district and grade.",
    migrations=Path(__file__).with_name("migrations") / "versions",
    handlers=handlers.HANDLERS,
    routers=ROUTERS,
    background=[keep_fresh],
    configure=refuse_unknown,
)
