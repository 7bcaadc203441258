"""The directory service: units, groups and teachers from SS 12000 or CSV."""

from pathlib import Path

from directory.api import ROUTERS
from directory.retention import DirectorySettings, erase_departed_teachers
from kulturbro_runtime import Service

service = Service(
    name="directory",
    description="The municipality's units, groups and teachers, imported from SS 12000 or CSV.",
    migrations=Path(__file__).with_name("migrations") / "versions",
    settings_class=DirectorySettings,
    handlers={},
    routers=ROUTERS,
    retention=[erase_departed_teachers],
)
