"""The transport service: schedules the culture bus and shares it between schools."""

from pathlib import Path

from kulturbro_runtime import Service

service = Service(
    name="transport",
    description="Schedules the culture bus and shares it between schools.",
    migrations=Path(__file__).with_name("migrations") / "versions",
    handlers={},
    routers=[],
)
