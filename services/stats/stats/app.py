"""The stats service: participation, reach and equity per school, district and grade."""

from pathlib import Path

from fastapi import FastAPI

from kulturbro_runtime import Service, ServiceSettings
from stats import handlers
from stats.api import ROUTERS
from stats.api.common import refuse_unknown
from stats.api.open_data import keep_counts


def configure(app: FastAPI, _: ServiceSettings) -> None:
    refuse_unknown(app)
    keep_counts(app)


service = Service(
    name="stats",
    description="Participation, reach and equity per school, district and grade.",
    migrations=Path(__file__).with_name("migrations") / "versions",
    handlers=handlers.HANDLERS,
    routers=ROUTERS,
    configure=configure,
)
