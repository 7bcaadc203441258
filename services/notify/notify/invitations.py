"""Invitations: when an event is published, every teacher with a targeted group hears of it once,
in their own language, naming their groups; nobody else does."""

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from kulturbro_contracts import EventPublished
from kulturbro_contracts.catalog import PublishedEvent
from kulturbro_contracts.vocabulary import InvitationPreference, Language
from kulturbro_replicas.directory import group, teacher_group
from kulturbro_replicas.teachers import teacher
from kulturbro_runtime import UnitOfWork
from notify.db import delivery

INVITATION = "invitation"
SUBJECTS = {
    Language.SV: "Nytt i kulturutbudet för era grupper: {title}",
    Language.FI: "Uutta kulttuuritarjonnassa ryhmillenne: {title}",
    Language.EN: "New in the culture programme for your groups: {title}",
}
BODIES = {
    Language.SV: "Hej {name}!\n\n{title} vänder sig till {groups}.\n\n{description}\n\n"
    "Plats: {venue}\nFöreställningar (UTC):\n{occurrences}\n\nBoka i Kulturbro{until}.\n",
    Language.FI: "Hei {name}!\n\n{title} on tarkoitettu ryhmille {groups}.\n\n{description}\n\n"
    "Paikka: {venue}\nEsitykset (UTC):\n{occurrences}\n\nVaraa Kulturbrossa{until}.\n",
    Language.EN: "Hello {name},\n\n{title} is for {groups}.\n\n{description}\n\n"
    "Venue: {venue}\nPerformances (UTC):\n{occurrences}\n\nBook in Kulturbro{until}.\n",
}
UNTIL = {Language.SV: " senast {}", Language.FI: " viimeistään {}", Language.EN: " by {}"}


def _in(language: Language, text: dict[Language, str]) -> str:
    """The text in the teacher's language, else in any language it has."""
    return text.get(language) or next(iter(text.values()), "")


def compose(
    event: PublishedEvent, language: Language, name: str, groups: list[str]
) -> tuple[str, str]:
    title = _in(language, event.title)
    venue = event.venue
    facts = [venue.name, venue.address or ""]
    occurrences = "\n".join(
        f"  {o.starts_at:%Y-%m-%d %H:%M}–{o.ends_at:%H:%M}, {o.language.value}"
        for o in event.occurrences
    )
    until = (
        UNTIL[language].format(f"{event.booking_closes_at:%Y-%m-%d}")
        if event.booking_closes_at
        else ""
    )
    body = BODIES[language].format(
        name=name, title=title, groups=", ".join(sorted(groups)),
        description=_in(language, event.description), venue=", ".join(f for f in facts if f),
        occurrences=occurrences, until=until,
    )  # fmt: skip
    return SUBJECTS[language].format(title=title), body


async def invite_targeted_teachers(message: EventPublished, uow: UnitOfWork) -> None:
    """Queue one invitation per teacher; the delivery job sends them. A redelivered or repeated
    EventPublished queues nothing new: the delivery log's unique key keeps one per teacher."""
    event = message.payload
    targets = [t.value for t in event.target_groups]
    recipients = await uow.session.execute(
        select(teacher.c.teacher_id, teacher.c.name, teacher.c.email, teacher.c.language,
               func.array_agg(group.c.name).label("groups"))
        .join(teacher_group, teacher_group.c.teacher_id == teacher.c.teacher_id)
        .join(group, group.c.group_id == teacher_group.c.group_id)
        .where(
            teacher.c.municipality_id == message.municipality_id,
            group.c.municipality_id == message.municipality_id,
            group.c.target_group.in_(targets),
            teacher.c.invitations == InvitationPreference.IMMEDIATE.value,
        )
        .group_by(teacher.c.teacher_id)
    )  # fmt: skip
    for row in recipients:
        subject, body = compose(event, Language(row.language), row.name, list(row.groups))
        await uow.session.execute(
            insert(delivery)
            .values(
                municipality_id=message.municipality_id, kind=INVITATION,
                subject_id=event.event_id, teacher_id=row.teacher_id, email=row.email,
                subject=subject, body=body, groups=sorted(row.groups),
            )
            .on_conflict_do_nothing()
        )  # fmt: skip
