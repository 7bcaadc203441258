"""Offers of held-back seats reach the teachers of the offered group only, through a real SMTP
server: in each teacher's language, with the deadline in local time and the one link that
accepts; a reminder two days before the deadline; nothing to a teacher who stopped invitations,
nothing twice when delivered again, and nothing for an offer already accepted or ended."""

import asyncio
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from kulturbro_contracts import BookingRequested, OfferExpired, SeatsOffered, TeacherAssigned
from kulturbro_contracts.allocation import Offer, OfferEnd, OfferExpiry
from kulturbro_contracts.booking import BookingRequest
from kulturbro_contracts.catalog import PublishedEvent
from kulturbro_contracts.directory import TeacherAssignment
from kulturbro_contracts.vocabulary import InvitationPreference, Language
from kulturbro_devstack.facts import MUNICIPALITY, an_event, group_with_teacher, publish, school
from kulturbro_devstack.smtp import EmbeddedSmtp
from kulturbro_devstack.testing import Servers
from kulturbro_runtime.service import Service

from .test_notify_booking_mail import malmo, teacher, text_of, world
from .test_stats import publish as deliver_again

pytestmark = pytest.mark.integration

OFFER_SUBJECTS = ("En plats är reserverad", "A place is held", "Påminnelse: en plats")
OFFERED = {Language.SV: "Erbjudande", Language.EN: "An offer"}


def offer_to(
    group_id: UUID, unit_id: UUID, event: PublishedEvent, deadline: datetime, offered_at: datetime
) -> SeatsOffered:
    return SeatsOffered(
        municipality_id=MUNICIPALITY,
        occurred_at=offered_at,
        payload=Offer(
            offer_id=uuid4(),
            event_id=event.event_id,
            occurrence_id=event.occurrences[0].occurrence_id,
            group_id=group_id,
            unit_id=unit_id,
            pupils=20,
            adults=2,
            seats=22,
            deadline=deadline,
            explanation=OFFERED,
        ),
    )


def offer_mails(smtp: EmbeddedSmtp) -> list[EmailMessage]:
    return [m for m in smtp.messages() if m["Subject"].startswith(OFFER_SUBJECTS)]


async def until_offer_mails(smtp: EmbeddedSmtp, count: int) -> list[EmailMessage]:
    for _ in range(600):  # a minute: late in a full run the consumers start slowly
        if len(found := offer_mails(smtp)) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{[m['Subject'] for m in offer_mails(smtp)]}: not {count} offer mails")


def to(mails: list[EmailMessage]) -> list[tuple[str, str]]:
    return sorted((m["To"].addresses[0].addr_spec, m["Subject"].split(":")[0]) for m in mails)


async def test_an_offer_reaches_its_groups_teachers_once_and_reminds_them_before_the_deadline(
    servers: Servers, topic_prefix: str, new_schema, probe: Service
) -> None:
    async with world(servers, topic_prefix, new_schema, probe) as (publisher, smtp, _, known):
        unit = school("Öster")
        unit_id = unit.payload.unit_id
        offered, anna, offered_facts = group_with_teacher(unit_id, 20)
        soon, eva, soon_facts = group_with_teacher(unit_id, 20)
        accepted, fia, accepted_facts = group_with_teacher(unit_id, 20)
        ended, gun, ended_facts = group_with_teacher(unit_id, 20)
        _, dina, other_facts = group_with_teacher(unit_id, 20)
        # Bo reads a weekly digest and Cilla stopped invitations; both teach Anna's class too.
        bo, cilla = uuid4(), uuid4()
        also = [
            TeacherAssigned(
                municipality_id=MUNICIPALITY,
                payload=TeacherAssignment(teacher_id=t, group_id=offered),
            )
            for t in (bo, cilla)
        ]
        published = an_event([60])
        event = published.payload
        await publish(
            publisher,
            [
                malmo(),
                unit,
                *offered_facts,
                *soon_facts,
                *accepted_facts,
                *ended_facts,
                *other_facts,
                *also,
                teacher(anna, "Anna", Language.SV),
                teacher(bo, "Bo", Language.EN, invitations=InvitationPreference.WEEKLY_DIGEST),
                teacher(cilla, "Cilla", Language.SV, invitations=InvitationPreference.NONE),
                teacher(eva, "Eva", Language.SV),
                teacher(fia, "Fia", Language.SV),
                teacher(gun, "Gun", Language.SV),
                teacher(dina, "Dina", Language.SV),
            ],
        )
        await known("replica_teacher_group", 7)
        await publish(publisher, [published])
        await known("event_details", 1)

        now = datetime.now(UTC)
        long_ago = now - timedelta(days=3)
        in_a_day = now + timedelta(days=1)
        # Accepted, or ended, before notify heard of the offer: nobody is told of it.
        taken = offer_to(accepted, unit_id, event, in_a_day, long_ago)
        over = offer_to(ended, unit_id, event, in_a_day, long_ago)
        acceptance = BookingRequested(
            municipality_id=MUNICIPALITY,
            payload=BookingRequest(
                booking_id=uuid4(), event_id=event.event_id, group_id=accepted, unit_id=unit_id,
                teacher_id=fia, pupils=20, adults=2,
                occurrence_ids=[event.occurrences[0].occurrence_id],
                offer_id=taken.payload.offer_id,
            ),
        )  # fmt: skip
        expiry = OfferExpired(
            municipality_id=MUNICIPALITY,
            payload=OfferExpiry(
                offer_id=over.payload.offer_id,
                event_id=event.event_id,
                group_id=ended,
                reason=OfferEnd.WITHDRAWN,
                explanation=OFFERED,
            ),
        )
        await publish(publisher, [acceptance, expiry])
        await known("offer", 2)

        deadline = (now + timedelta(days=5)).replace(microsecond=0)
        offer = offer_to(offered, unit_id, event, deadline, now)
        due = offer_to(soon, unit_id, event, in_a_day, long_ago)  # its reminder is due at once
        await publish(publisher, [taken, over, offer, due])

        mails = await until_offer_mails(smtp, 4)
        await deliver_again(servers, topic_prefix, [offer, due, taken, over])
        await asyncio.sleep(2.0)  # a second mail, or a reminder not due, would have come by now
        mails = offer_mails(smtp)
        assert to(mails) == [
            ("anna@skola.example", "En plats är reserverad för " + _name(offered_facts)),
            ("bo@skola.example", "A place is held for " + _name(offered_facts)),
            ("eva@skola.example", "En plats är reserverad för " + _name(soon_facts)),
            ("eva@skola.example", "Påminnelse"),
        ]

        [annas] = [m for m in mails if m["To"].addresses[0].addr_spec == "anna@skola.example"]
        text = text_of(annas)
        assert f"https://kulturbro.example/offers/{offer.payload.offer_id}" in text
        local = deadline.astimezone(ZoneInfo("Europe/Stockholm"))
        assert f"senast {_day(local)}" in text and f"kl. {local:%H:%M}" in text
        assert annas["List-Unsubscribe"], "an offer can be stopped like an invitation"


def _name(facts: list) -> str:  # type: ignore[type-arg]
    return str(facts[0].payload.name)


def _day(local: datetime) -> str:
    """How a Swedish mail begins a date: the weekday and the day of the month."""
    weekdays = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
    return f"{weekdays[local.weekday()]} {local.day} "
