"""The gateway service: the single HTTP entry for web and mobile clients."""

from pathlib import Path

from kulturbro_runtime import Service

service = Service(
    name="gateway",
    description="The single HTTP entry for web and mobile clients.",
    migrations=Path(__file__).with_name("migrations") / "versions",
    handlers={},
    routers=[],
)
