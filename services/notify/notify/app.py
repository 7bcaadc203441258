"""The notify service: tells exactly the right teachers, in their own language, by e-mail."""

from pathlib import Path

from kulturbro_runtime import Service
from notify import api, handlers, my_data_api
from notify.delivery_job import deliver_pending
from notify.retention import erase_old_mail_bodies
from notify.schedule import mail_when_due
from notify.settings import NotifySettings

service = Service(
    name="notify",
    description="Tells exactly the right teachers, in their own language, by e-mail.",
    migrations=Path(__file__).with_name("migrations") / "versions",
    settings_class=NotifySettings,
    handlers=handlers.HANDLERS,
    routers=[api.router, my_data_api.router],
    background=[deliver_pending, mail_when_due],
    retention=[erase_old_mail_bodies],
)
