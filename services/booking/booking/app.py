"""The booking service: teachers request seats for their groups."""

from pathlib import Path

from booking import api, attendance_api, evaluation_api, handlers, my_data_api, offers_api
from kulturbro_runtime import Service

service = Service(
    name="booking",
    description="Teachers request seats for their groups.",
    migrations=Path(__file__).with_name("migrations") / "versions",
    handlers=handlers.HANDLERS,
    routers=[
        api.router,
        evaluation_api.router,
        attendance_api.router,
        my_data_api.router,
        offers_api.router,
    ],
)
