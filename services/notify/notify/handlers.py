"""What the notify service does with the events it hears."""

from uuid import uuid4

from kulturbro_contracts import EventPublished, NotificationSent, SignInLinkRequested
from kulturbro_contracts.notify import Delivery
from kulturbro_replicas.catalog import CATALOG_REPLICA
from kulturbro_replicas.directory import DIRECTORY_REPLICA
from kulturbro_replicas.teachers import TEACHER_REPLICA
from kulturbro_runtime import HandlerTable, UnitOfWork, merge_handlers
from notify.invitations import invite_targeted_teachers
from notify.mailer import send_mail
from notify.settings import NotifySettings
from notify.sign_in_mail import compose


async def send_sign_in_link(event: SignInLinkRequested, uow: UnitOfWork) -> None:
    assert isinstance(uow.settings, NotifySettings)
    subject, text = compose(event.payload)
    await send_mail(uow.settings, str(event.payload.email), subject, text)
    await uow.publish(
        NotificationSent(
            municipality_id=event.municipality_id,
            payload=Delivery(
                notification_id=uuid4(), recipient_id=event.payload.account_id, kind="sign_in_link"
            ),
        )
    )


HANDLERS: HandlerTable = merge_handlers(
    DIRECTORY_REPLICA,
    TEACHER_REPLICA,
    CATALOG_REPLICA,
    {SignInLinkRequested: [send_sign_in_link], EventPublished: [invite_targeted_teachers]},
)
