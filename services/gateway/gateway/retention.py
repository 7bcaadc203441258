"""What the gateway forgets, and when: a departed teacher's account at once (she can no longer
sign in, and a teacher who comes back gets a new one), the audit log after five years."""

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select

from gateway.db import Account, AuditEntry, MagicLink, RefreshToken
from gateway.settings import GatewaySettings
from kulturbro_contracts.directory import TeacherRemoved
from kulturbro_runtime import HandlerTable, Role, UnitOfWork
from kulturbro_runtime.retention import kept_since


async def forget_teacher_account(event: TeacherRemoved, uow: UnitOfWork) -> None:
    """Her sign-ins stay in the audit log under the account's id, which names nobody."""
    found = await uow.session.exec(
        select(Account.id).where(
            Account.subject == str(event.payload.teacher_id), Account.role == Role.TEACHER
        )
    )
    for account_id in found.all():
        await uow.session.execute(
            delete(RefreshToken).where(col(RefreshToken.account_id) == account_id)
        )
        await uow.session.execute(delete(MagicLink).where(col(MagicLink.account_id) == account_id))
        await uow.session.execute(delete(Account).where(col(Account.id) == account_id))


async def erase_old_audit_entries(uow: UnitOfWork, settings: GatewaySettings, now: datetime) -> int:
    erased = await uow.session.execute(
        delete(AuditEntry)
        .where(col(AuditEntry.at) < kept_since(now, settings.audit_retention_days))
        .returning(col(AuditEntry.id))
    )
    return len(erased.all())


RETENTION: HandlerTable = {TeacherRemoved: [forget_teacher_account]}
