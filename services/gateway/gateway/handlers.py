"""Teachers get accounts from the directory (they sign in with an e-mailed link); the gateway
keeps copies of the municipalities and organizers, which accounts may serve."""

import logging

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select

from gateway.db import Account, OrganizerCopy
from gateway.retention import RETENTION
from kulturbro_contracts import TeacherRegistered, TeacherUpdated
from kulturbro_contracts.catalog import OrganizerRegistered
from kulturbro_replicas.municipalities import MUNICIPALITY_REPLICA
from kulturbro_runtime import HandlerTable, Role, UnitOfWork

log = logging.getLogger(__name__)


async def keep_teacher_account(event: TeacherRegistered | TeacherUpdated, uow: UnitOfWork) -> None:
    teacher = event.payload
    email = str(teacher.email).lower()
    subject = str(teacher.teacher_id)
    found = await uow.session.exec(select(Account).where(Account.subject == subject))
    account = found.first()
    if account is None:
        taken = await uow.session.exec(select(Account).where(Account.email == email))
        if taken.first() is not None:
            # Never hand an existing account (perhaps another municipality's) to this teacher.
            log.warning("teacher %s not given an account: e-mail already has one", subject)
            return
        account = Account(email=email, role=Role.TEACHER, subject=subject)
    account.email = email
    account.municipality_id = event.municipality_id
    account.language = teacher.language.value
    uow.session.add(account)


async def keep_organizer(event: OrganizerRegistered, uow: UnitOfWork) -> None:
    await uow.session.execute(
        insert(OrganizerCopy)
        .values(organizer_id=event.payload.organizer_id, municipality_id=event.municipality_id)
        .on_conflict_do_nothing()
    )


HANDLERS: HandlerTable = {
    TeacherRegistered: [keep_teacher_account],
    TeacherUpdated: [keep_teacher_account],
    OrganizerRegistered: [keep_organizer],
    **MUNICIPALITY_REPLICA,
    **RETENTION,
}
