"""An offer of held-back seats as its teachers read it: the class, the event, when and where, the
deadline in local time and the one link that accepts; and when the reminder comes."""

from datetime import UTC, datetime, timedelta

import pytest

from kulturbro_contracts.vocabulary import Language
from notify.compose import Composer
from notify.offer_mail import reminder_due

from .builders import MUNICIPALITY, OFFER_DEADLINE, STOCKHOLM, contexts

COMPOSER = Composer()
DEADLINE_SAID = {
    Language.SV: "fredag 20 februari 2026 kl. 16:00",
    Language.FI: "perjantai 20. helmikuuta 2026 klo 16.00",
    Language.EN: "Friday 20 February 2026 at 16:00",
}
VISIT_SAID = {
    Language.SV: "tisdag 3 mars 2026 kl. 10:00–11:00",
    Language.FI: "tiistai 3. maaliskuuta 2026 klo 10.00–11.00",
    Language.EN: "Tuesday 3 March 2026 at 10:00–11:00",
}


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("kind", ["offer", "offer_reminder"])
def test_an_offer_says_which_class_what_when_where_and_until_when_with_one_link(
    kind: str, language: Language
) -> None:
    context = contexts()[kind]
    mail = COMPOSER.compose(
        kind, language, context, municipality_id=MUNICIPALITY, time_zone=STOCKHOLM
    )
    title = context["event"]["title"][language]
    assert "3B" in mail.subject and title in mail.subject
    for shown in (mail.text, mail.html):
        assert "3B" in shown and title in shown and "Stadsteatern" in shown
        assert DEADLINE_SAID[language] in shown  # 15:00 UTC is 16:00 in Stockholm
        assert VISIT_SAID[language] in shown
    assert "https://k.example/offers/9" in mail.text
    assert 'href="https://k.example/offers/9"' in mail.html


NOW = datetime(2026, 2, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before_deadline", "due"),
    [
        (timedelta(days=3), False),
        (timedelta(days=2, minutes=1), False),
        (timedelta(days=2), True),
        (timedelta(hours=1), True),
        (timedelta(0), False),  # the deadline has passed: nothing to accept any more
        (-timedelta(hours=1), False),
    ],
)
def test_the_reminder_is_due_two_days_before_the_deadline(
    before_deadline: timedelta, due: bool
) -> None:
    offered = NOW - timedelta(days=10)
    assert reminder_due(offered, NOW + before_deadline, NOW) is due


def test_an_offer_made_within_two_days_of_its_deadline_gets_no_reminder() -> None:
    offered = OFFER_DEADLINE - timedelta(days=1)
    assert not reminder_due(offered, OFFER_DEADLINE, OFFER_DEADLINE - timedelta(hours=1))
