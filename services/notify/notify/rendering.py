"""From a delivery row to the bytes of its mail: the template in the teacher's language, the
event as notify knows it, times in the municipality's zone, and a calendar file when due."""

import functools
import uuid
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kulturbro_contracts.catalog import PublishedEvent
from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime.calendar import Entry, booking_calendar, bus_uid
from kulturbro_runtime.localization import DEFAULT_TIME_ZONE
from kulturbro_runtime.mail_links import unsubscribe_url
from notify import run_sheet
from notify.compose import Composer
from notify.db import event_details, municipality
from notify.mime import Attachment, mail_bytes
from notify.settings import NotifySettings

# Mails a teacher may choose not to get.
UNSUBSCRIBABLE = frozenset({"invitation", "digest", "offer", "offer_reminder"})
ABOUT_NO_EVENT = frozenset({run_sheet.KIND})  # mails whose subject is not a catalog event
# The bus trip's calendar entry is named in the teacher's language, beside the visit's title.
BUS_ENTRY = {Language.SV: "Kulturbuss", Language.FI: "Kulttuuribussi", Language.EN: "Culture bus"}


class MissingFacts(Exception):
    """The mail is about something notify has not heard of yet; it waits."""


def notification_id(delivery_id: int) -> UUID:
    """The mail's one identity: its NotificationSent, and its Message-ID if it is ever resent."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"kulturbro:delivery:{delivery_id}")


def plausible_address(address: str) -> bool:
    _, parsed = parseaddr(address)
    local, at, domain = parsed.partition("@")
    return parsed == address and bool(local) and bool(at) and "." in domain


@functools.cache
def composer(template_dir: Path | None) -> Composer:
    """One per process: it keeps the compiled templates."""
    return Composer(template_dir)


async def time_zone_of(session: AsyncSession, municipality_id: str | None) -> str:
    zone = await session.scalar(
        select(municipality.c.time_zone).where(municipality.c.municipality_id == municipality_id)
    )
    return zone or DEFAULT_TIME_ZONE


class Renderer:
    def __init__(self, settings: NotifySettings) -> None:
        self.settings = settings
        self.composer = composer(settings.template_dir)
        self.sender_address = parseaddr(settings.mail_from)[1]
        self.domain = self.sender_address.partition("@")[2] or "kulturbro.example"

    async def facts(
        self, session: AsyncSession, rows: list[Any]
    ) -> tuple[dict[UUID, dict[str, Any]], dict[str, str]]:
        """The events and time zones a batch of mails needs, each read once."""
        event_ids = {row.subject_id for row in rows}
        events = {
            r.event_id: PublishedEvent.model_validate(r.details).model_dump()
            for r in await session.execute(
                select(event_details.c.event_id, event_details.c.details).where(
                    event_details.c.event_id.in_(event_ids)
                )
            )
        }
        zones = dict(
            (
                await session.execute(
                    select(municipality.c.municipality_id, municipality.c.time_zone).where(
                        municipality.c.municipality_id.in_({row.municipality_id for row in rows})
                    )
                )
            ).all()
        )
        return events, zones

    def render(
        self, row: Any, event: dict[str, Any] | None, time_zone: str | None
    ) -> tuple[str, bytes]:
        """The subject and the whole message."""
        if event is None and row.kind not in ABOUT_NO_EVENT:
            raise MissingFacts(f"event {row.subject_id} is not known here yet")
        language = Language(row.language)
        context = dict(row.context) | ({"event": event} if event else {})
        context.setdefault("name", row.name)
        unsubscribe: list[tuple[str, str]] = []
        if row.kind in UNSUBSCRIBABLE:
            # The directory keeps the choice and honours the link, signed for this teacher.
            context["unsubscribe_url"] = unsubscribe_url(
                self.settings.public_url, row.municipality_id, str(row.recipient_id),
                self.settings.kulturbro_secret_key.get_secret_value(),
            )  # fmt: skip
            # RFC 8058: mail programs offer "unsubscribe", and it takes one click.
            unsubscribe = [("List-Unsubscribe", f"<{context['unsubscribe_url']}>"),
                           ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]  # fmt: skip
        composed = self.composer.compose(
            row.kind, language, context, municipality_id=row.municipality_id,
            time_zone=time_zone or DEFAULT_TIME_ZONE,
        )  # fmt: skip
        attachments: list[Attachment] = []
        if row.kind == run_sheet.KIND:
            attachments = run_sheet.run_sheet_files(
                context, language, time_zone or DEFAULT_TIME_ZONE
            )
        calendar = None
        entry = context.get("calendar")
        if entry:
            calendar = self._calendar(row, context, entry, language)
        raw = mail_bytes(
            sender=self.settings.mail_from, to=row.email, to_name=row.name,
            subject=composed.subject, text=composed.text, html=composed.html,
            message_id=f"{notification_id(row.id)}@{self.domain}", calendar=calendar,
            calendar_method="CANCEL" if entry and entry["cancelled"] else "REQUEST",
            extra_headers=unsubscribe, attachments=attachments,
        )  # fmt: skip
        return composed.subject, raw

    def _calendar(
        self, row: Any, context: dict[str, Any], entry: dict[str, Any], language: Language
    ) -> bytes:
        """The visit's entry, and the bus trip's beside it if the mail is about the bus; a
        cancelled bus trip's file holds the bus entry alone, so the visit stays."""
        event, visit = context["event"], context["occurrence"]
        title = event["title"].get(language) or next(iter(event["title"].values()))
        venue = event["venue"]
        entries = [
            Entry(
                uid=entry["uid"],
                starts_at=datetime.fromisoformat(visit["starts_at"]),
                ends_at=datetime.fromisoformat(visit["ends_at"]),
                summary=title,
                location=", ".join(p for p in (venue["name"], venue.get("address")) if p),
                description=f"{title} – {context.get('group', '')}",
            )
        ]
        trip = entry.get("bus")
        if trip:
            bus = Entry(
                uid=bus_uid(row.booking_id),
                starts_at=datetime.fromisoformat(trip["pickup_at"]),
                ends_at=datetime.fromisoformat(trip["home_at"]),
                summary=f"{BUS_ENTRY[language]}: {title}",
                location=trip["pickup_place"],
                description=f"{BUS_ENTRY[language]} {trip['bus']} – {context.get('group', '')}",
            )
            entries = [bus] if entry["cancelled"] else [*entries, bus]
        first, *also = entries
        return booking_calendar(
            uid=first.uid,
            sequence=entry["sequence"],
            cancelled=entry["cancelled"],
            starts_at=first.starts_at,
            ends_at=first.ends_at,
            summary=first.summary,
            location=first.location,
            description=first.description,
            url=context["booking_url"],
            organizer_email=self.sender_address,
            attendee_email=row.email,
            attendee_name=row.name,
            also=also,
        )
