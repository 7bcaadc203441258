"""Invitations: when an event is published, every teacher with a targeted group hears of it once,
in their own language, naming their groups; nobody else does."""

from datetime import UTC, datetime

from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by, insert

from kulturbro_contracts import EventPublished
from kulturbro_contracts.vocabulary import InvitationPreference
from kulturbro_replicas.directory import group, teacher_group
from kulturbro_replicas.teachers import teacher
from kulturbro_runtime import UnitOfWork
from notify.db import delivery
from notify.settings import NotifySettings

INVITATION = "invitation"


def event_url(settings: NotifySettings, event_id: object) -> str:
    return f"{settings.public_url}/events/{event_id}"


async def invite_targeted_teachers(message: EventPublished, uow: UnitOfWork) -> None:
    """Queue one invitation per teacher in one statement (a national event reaches tens of
    thousands); the delivery job sends them. A redelivered or repeated EventPublished queues
    nothing new: the delivery log's unique key keeps one per teacher and event."""
    assert isinstance(uow.settings, NotifySettings)
    event = message.payload
    if event.booking_closes_at is not None and event.booking_closes_at <= datetime.now(UTC):
        return  # heard after booking closed (the catalog publishes none such): none could book
    recipients = (
        select(
            literal(message.municipality_id), literal(INVITATION), literal(event.event_id),
            literal(event.event_id), teacher.c.teacher_id, teacher.c.email, teacher.c.name,
            teacher.c.language,
            func.json_build_object(
                "groups", func.json_agg(aggregate_order_by(group.c.name, group.c.name)),
                "book_url", literal(event_url(uow.settings, event.event_id)),
            ),
        )
        .join(teacher_group, teacher_group.c.teacher_id == teacher.c.teacher_id)
        .join(group, group.c.group_id == teacher_group.c.group_id)
        .where(
            teacher.c.municipality_id == message.municipality_id,
            group.c.municipality_id == message.municipality_id,
            group.c.target_group.in_([t.value for t in event.target_groups]),
            teacher.c.invitations == InvitationPreference.IMMEDIATE.value,
        )
        .group_by(teacher.c.teacher_id)
    )  # fmt: skip
    columns = ["municipality_id", "kind", "cause_id", "subject_id", "recipient_id", "email",
               "name", "language", "context"]  # fmt: skip
    await uow.session.execute(
        insert(delivery).from_select(columns, recipients).on_conflict_do_nothing()
    )
