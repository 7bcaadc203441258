"""The allocation service: decides every booking request and shares scarce seats out fairly."""

from pathlib import Path

from allocation import api, handlers
from allocation.draws import draw_when_windows_close
from kulturbro_runtime import Service

service = Service(
    name="allocation",
    description="Decides every booking request and shares scarce seats out fairly.",
    migrations=Path(__file__).with_name("migrations") / "versions",
    handlers=handlers.HANDLERS,
    routers=[api.router],
    background=[draw_when_windows_close],
)
