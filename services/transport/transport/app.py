"""The transport service: schedules the culture bus and shares it between schools."""

from pathlib import Path

from kulturbro_runtime import Service
from transport import handlers
from transport.api import ROUTERS
from transport.run_sheets import send_run_sheets
from transport.settings import TransportSettings

service = Service(
    name="transport",
    description="Schedules the culture bus and shares it between schools.",
    migrations=Path(__file__).with_name("migrations") / "versions",
    handlers=handlers.HANDLERS,
    routers=ROUTERS,
    background=[send_run_sheets],
    settings_class=TransportSettings,
)
