"""What the notify service does with the events it hears."""

from kulturbro_contracts import EventPublished, NotificationSent, SignInLinkRequested
from kulturbro_contracts.notify import Delivery
from kulturbro_replicas.catalog import CATALOG_REPLICA
from kulturbro_replicas.directory import DIRECTORY_REPLICA
from kulturbro_replicas.teachers import TEACHER_REPLICA
from kulturbro_runtime import HandlerTable, UnitOfWork, merge_handlers
from notify.booking_mail import BOOKING_MAIL
from notify.bus_mail import BUS_MAIL
from notify.copies import COPIES
from notify.invitations import invite_targeted_teachers
from notify.mailer import send_now
from notify.mime import mail_bytes
from notify.offer_mail import OFFER_MAIL
from notify.rendering import Renderer, time_zone_of
from notify.retention import RETENTION
from notify.run_sheet import RUN_SHEET_MAIL
from notify.settings import NotifySettings


async def send_sign_in_link(event: SignInLinkRequested, uow: UnitOfWork) -> None:
    """Sent at once rather than through the delivery log, which would keep the link: a person
    is waiting for it, and a lost one is simply asked for again."""
    assert isinstance(uow.settings, NotifySettings)
    link = event.payload
    renderer = Renderer(uow.settings)
    composed = renderer.composer.compose(
        "sign_in_link", link.language, {"link": link.link, "expires_at": link.expires_at},
        municipality_id=event.municipality_id or "",
        time_zone=await time_zone_of(uow.session, event.municipality_id),
    )  # fmt: skip
    raw = mail_bytes(
        sender=uow.settings.mail_from, to=str(link.email), to_name=None,
        subject=composed.subject, text=composed.text, html=composed.html,
        message_id=f"{event.event_id}@{renderer.domain}",
    )  # fmt: skip
    await send_now(uow.settings, renderer.sender_address, str(link.email), raw)
    await uow.publish(
        NotificationSent(
            municipality_id=event.municipality_id,
            payload=Delivery(
                notification_id=event.event_id, recipient_id=link.account_id, kind="sign_in_link"
            ),
        )
    )


HANDLERS: HandlerTable = merge_handlers(
    DIRECTORY_REPLICA,
    TEACHER_REPLICA,
    CATALOG_REPLICA,
    BOOKING_MAIL,  # before COPIES: an EventChanged is compared with the copy it replaces
    BUS_MAIL,
    OFFER_MAIL,
    RUN_SHEET_MAIL,
    COPIES,
    RETENTION,
    {SignInLinkRequested: [send_sign_in_link], EventPublished: [invite_targeted_teachers]},
)
