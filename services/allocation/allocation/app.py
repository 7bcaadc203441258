"""The allocation service: decides every booking request and shares scarce seats out fairly."""

from pathlib import Path

from kulturbro_runtime import Service

service = Service(
    name="allocation",
    description="Decides every booking request and shares scarce seats out fairly.",
    migrations=Path(__file__).with_name("migrations") / "versions",
    handlers={},
    routers=[],
)
