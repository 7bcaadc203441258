"""Mail that is due at a time rather than on an event: reminders before a visit and before an
offer's deadline, evaluation requests after a visit, organizers' summaries of new bookings, and
the weekly digest."""

import asyncio
import logging
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, update

from kulturbro_contracts.vocabulary import InvitationPreference
from kulturbro_replicas.catalog import event as listed_event
from kulturbro_replicas.catalog import occurrence
from kulturbro_replicas.directory import group, teacher_group, unit
from kulturbro_replicas.teachers import teacher
from kulturbro_runtime import UnitOfWork
from kulturbro_runtime.localization import DEFAULT_TIME_ZONE
from kulturbro_runtime.runtime import Runtime
from notify.db import booking, delivery, event_details, municipality, organizer
from notify.invitations import event_url
from notify.mail_queue import Recipient, cause, occurrence_view, queue_mail, tell_teacher
from notify.offer_mail import remind_of_offers
from notify.settings import NotifySettings

log = logging.getLogger(__name__)
EVALUATION_WITHIN = timedelta(days=14)  # a visit longer ago is not worth asking about


async def _seated_visits(uow: UnitOfWork, flag: Any, when: Any) -> list[Any]:
    rows = await uow.session.execute(
        select(booking, occurrence.c.capacity, occurrence.c.language)
        .join(occurrence, occurrence.c.occurrence_id == booking.c.occurrence_id)
        .where(booking.c.status == "confirmed", ~occurrence.c.cancelled, ~flag, when)
        .limit(1000)
        .with_for_update(of=booking, skip_locked=True)
    )  # fmt: skip
    return list(rows)


async def _booking_mail(uow: UnitOfWork, row: Any, kind: str, context: dict[str, Any]) -> None:
    """Once per booking and visit: a visit moved to another occurrence or time is a new one."""
    cause_id = cause(kind, row.booking_id, row.occurrence_id, row.starts_at.isoformat())
    await tell_teacher(uow, row, kind, cause_id, {"occurrence": occurrence_view(row)} | context)


async def remind_before_visits(uow: UnitOfWork, settings: NotifySettings) -> None:
    now = datetime.now(UTC)
    soon = and_(
        occurrence.c.starts_at > now,
        occurrence.c.starts_at <= now + timedelta(days=settings.reminder_days_before),
    )
    for row in await _seated_visits(uow, booking.c.reminded, soon):
        await _booking_mail(uow, row, "reminder",
                            {"seats": row.seats, "wants_bus": row.wants_bus})  # fmt: skip
        await uow.session.execute(
            update(booking).where(booking.c.booking_id == row.booking_id).values(reminded=True)
        )


async def ask_for_evaluations(uow: UnitOfWork, settings: NotifySettings) -> None:
    now = datetime.now(UTC)
    over = and_(occurrence.c.ends_at <= now, occurrence.c.ends_at > now - EVALUATION_WITHIN)
    for row in await _seated_visits(uow, booking.c.evaluation_requested, over):
        evaluation_url = f"{settings.public_url}/evaluations/{row.booking_id}"
        await _booking_mail(uow, row, "evaluation_request",
                            {"evaluation_url": evaluation_url})  # fmt: skip
        await uow.session.execute(
            update(booking)
            .where(booking.c.booking_id == row.booking_id)
            .values(evaluation_requested=True)
        )


async def summarize_for_organizers(uow: UnitOfWork, settings: NotifySettings) -> None:
    """One mail per event to its organizer with the bookings that are new since the last one."""
    new = (
        await uow.session.execute(
            select(booking, group.c.name.label("group_name"), unit.c.name.label("school"))
            .join(group, group.c.group_id == booking.c.group_id, isouter=True)
            .join(unit, unit.c.unit_id == booking.c.unit_id, isouter=True)
            .where(~booking.c.organizer_told,
                   booking.c.status.in_(("requested", "confirmed", "waitlisted")))
            .order_by(booking.c.requested_at)
            .limit(5000)
            .with_for_update(of=booking, skip_locked=True)
        )
    ).all()  # fmt: skip
    by_event: dict[Any, list[Any]] = defaultdict(list)
    for row in new:
        by_event[row.event_id].append(row)
    for event_id, rows in by_event.items():
        await _summarize(uow, settings, event_id, rows)
        await uow.session.execute(
            update(booking)
            .where(booking.c.booking_id.in_([r.booking_id for r in rows]))
            .values(organizer_told=True)
        )


async def _summarize(
    uow: UnitOfWork, settings: NotifySettings, event_id: Any, rows: list[Any]
) -> None:
    contact = (
        await uow.session.execute(
            select(organizer.c.organizer_id, organizer.c.email, organizer.c.name,
                   municipality.c.language)
            .join(event_details, and_(
                event_details.c.organizer_id == organizer.c.organizer_id,
                event_details.c.municipality_id == organizer.c.municipality_id))
            .join(municipality, municipality.c.municipality_id == organizer.c.municipality_id,
                  isouter=True)
            .where(event_details.c.event_id == event_id)
        )
    ).first()  # fmt: skip
    if contact is None:
        return  # an organizer nobody registered here: nobody to tell
    visits = await uow.session.execute(
        select(occurrence).where(occurrence.c.event_id == event_id).order_by(occurrence.c.starts_at)
    )
    seated = dict(
        (
            await uow.session.execute(
                select(booking.c.occurrence_id, func.sum(booking.c.seats))
                .where(booking.c.event_id == event_id, booking.c.status == "confirmed")
                .group_by(booking.c.occurrence_id)
            )
        ).all()
    )
    occurrences = []
    for visit in visits:
        here = [
            r for r in rows if (r.occurrence_id or _first(r.occurrence_ids)) == visit.occurrence_id
        ]
        if here:
            occurrences.append({
                "occurrence": occurrence_view(visit), "capacity": visit.capacity,
                "seated": int(seated.get(visit.occurrence_id) or 0),
                "new_bookings": [{"group": r.group_name or "", "school": r.school or "",
                                  "pupils": r.pupils, "adults": r.adults,
                                  "wants_bus": r.wants_bus, "status": r.status} for r in here],
            })  # fmt: skip
    if not occurrences:
        return
    recipient = Recipient(
        contact.organizer_id, contact.email, contact.name, contact.language or "sv"
    )
    await queue_mail(
        uow, municipality_id=rows[0].municipality_id, kind="organizer_summary",
        cause_id=cause("organizer_summary", *sorted(str(r.booking_id) for r in rows)),
        subject_id=event_id, recipient=recipient,
        context={"occurrences": occurrences,
                 "manage_url": f"{settings.public_url}/events/{event_id}/participants"},
    )  # fmt: skip


def _first(occurrence_ids: list[str]) -> UUID | None:
    """The occurrence a teacher wants most, where a booking without seats is counted."""
    return UUID(occurrence_ids[0]) if occurrence_ids else None


DIGEST_SENT_AT = timedelta(hours=7)  # Monday morning in the municipality, before school starts


def digest_week(now: datetime, time_zone: str) -> tuple[str, datetime, datetime]:
    """The local ISO week a digest sent by `now` sums up: the one before, from Monday 07:00."""
    local = now.astimezone(ZoneInfo(time_zone)) - DIGEST_SENT_AT
    monday = (local - timedelta(days=local.weekday() + 7)).replace(hour=0, minute=0, second=0,
                                                                   microsecond=0)  # fmt: skip
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}", monday, monday + timedelta(days=7)


async def send_weekly_digests(uow: UnitOfWork, settings: NotifySettings, now: datetime) -> None:
    """Teachers who chose a weekly digest get last week's new events for their groups, once,
    on Monday morning in their municipality's time zone."""
    recently = await uow.session.execute(
        select(event_details.c.municipality_id, municipality.c.time_zone)
        .outerjoin(municipality,
                   municipality.c.municipality_id == event_details.c.municipality_id)
        .where(event_details.c.published_at >= now - timedelta(days=16))
        .distinct()
    )  # fmt: skip
    for municipality_id, zone in recently.all():
        week = digest_week(now, zone or DEFAULT_TIME_ZONE)
        await _digests_of(uow, settings, municipality_id, now, *week)


async def _digests_of(
    uow: UnitOfWork, settings: NotifySettings, municipality_id: str, now: datetime, week: str,
    starts: datetime, ends: datetime,
) -> None:  # fmt: skip
    published = (
        await uow.session.execute(
            select(event_details.c.event_id, event_details.c.details,
                   listed_event.c.target_groups)
            .join(listed_event, listed_event.c.event_id == event_details.c.event_id)
            .where(event_details.c.municipality_id == municipality_id,
                   event_details.c.published_at >= starts, event_details.c.published_at < ends,
                   ~listed_event.c.cancelled,
                   # One whose booking has closed since would invite to what none can book.
                   or_(listed_event.c.booking_closes_at.is_(None),
                       listed_event.c.booking_closes_at > now))
        )
    ).all()  # fmt: skip
    if not published:
        return
    readers = await uow.session.execute(
        select(teacher.c.teacher_id, teacher.c.email, teacher.c.name,
               teacher.c.language, group.c.name.label("group_name"), group.c.target_group)
        .join(teacher_group, teacher_group.c.teacher_id == teacher.c.teacher_id)
        .join(group, group.c.group_id == teacher_group.c.group_id)
        .where(
            teacher.c.municipality_id == municipality_id,
            teacher.c.invitations == InvitationPreference.WEEKLY_DIGEST.value,
            ~select(delivery.c.id).where(
                delivery.c.kind == "digest", delivery.c.cause_id == cause("digest", week),
                delivery.c.recipient_id == teacher.c.teacher_id).exists(),
        )
        .order_by(teacher.c.teacher_id, group.c.name)
    )  # fmt: skip
    groups: dict[Any, list[Any]] = defaultdict(list)
    for row in readers:
        groups[row.teacher_id].append(row)
    for teacher_id, rows in groups.items():
        first = rows[0]
        items = []
        for event in published:
            mine = [r.group_name for r in rows if r.target_group in event.target_groups]
            if mine:
                items.append({"event": event.details, "groups": mine,
                              "book_url": event_url(settings, event.event_id)})  # fmt: skip
        if items:
            await queue_mail(
                uow, municipality_id=municipality_id, kind="digest",
                cause_id=cause("digest", week), subject_id=UUID(items[0]["event"]["event_id"]),
                recipient=Recipient(teacher_id, first.email, first.name, first.language),
                context={"week": week, "items": items},
            )  # fmt: skip


async def mail_when_due(runtime: Runtime) -> None:
    """A background job of the notify service: sends what has come due, every tick."""
    settings = runtime.settings
    assert isinstance(settings, NotifySettings)
    summarized = 0.0
    while True:
        try:
            async with runtime.unit_of_work() as uow:
                await remind_before_visits(uow, settings)
                await ask_for_evaluations(uow, settings)
                await remind_of_offers(uow, datetime.now(UTC))
            if time.monotonic() - summarized >= settings.organizer_summary_seconds:
                async with runtime.unit_of_work() as uow:
                    await summarize_for_organizers(uow, settings)
                summarized = time.monotonic()
            async with runtime.unit_of_work() as uow:
                await send_weekly_digests(uow, settings, datetime.now(UTC))
        except Exception:
            log.exception("scheduled mail failed; trying again shortly")
        await asyncio.sleep(settings.schedule_tick_seconds)
