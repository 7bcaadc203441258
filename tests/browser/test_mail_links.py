"""Every link in the mails of a booking's whole life opens a working page for the one it was sent
to: the invitation and its unsubscribe link, the sign-in link, received, confirmed, the reminder,
a moved visit, the evaluation request, a cancelled booking and the organizer's summary. Notify
sends them through a real SMTP server, as the live site's own mails; each page passes axe. At the
end she takes all Kulturbro holds about her and asks for its deletion.
"""

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from kulturbro_devstack.smtp import EmbeddedSmtp, start_smtp
from kulturbro_devstack.testing import wait_until as until

pytestmark = pytest.mark.browser

LiveSite = Any  # conftest.LiveSite; conftest modules are not importable
LINK = re.compile(r"https?://[^\s\"'<>]+")
ORGANIZER_CONTACT = "b@example.org"  # the live site's theatre, as registered in the catalog


@pytest.fixture(scope="module")
def smtp() -> Iterator[EmbeddedSmtp]:
    server = start_smtp()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live_site_with(smtp: EmbeddedSmtp) -> Mapping[str, Mapping[str, str]]:
    """Notify sends to the test's SMTP server; reminders and summaries come due at once."""
    return {
        "notify": {
            "SMTP_URL": smtp.url,
            "REMINDER_DAYS_BEFORE": "30",
            "SCHEDULE_TICK_SECONDS": "0.5",
            "ORGANIZER_SUMMARY_SECONDS": "1",
        }
    }


def links_in(mail: EmailMessage) -> set[str]:
    found: set[str] = set()
    for part in mail.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            text = part.get_content().replace("&amp;", "&")
            found.update(link.rstrip(".,)") for link in LINK.findall(text))
    return found


def mails_to(smtp: EmbeddedSmtp, address: str) -> list[EmailMessage]:
    return [mail for mail in smtp.messages() if address in str(mail["To"])]


def an_event_for_grade_2(starts_in_days: int) -> dict[str, Any]:
    day = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    starts = day.replace(hour=8) + timedelta(days=starts_in_days)
    return {
        "title": {"sv": "Emil i Lönneberga", "fi": "Vaahteramäen Eemeli", "en": "Emil"},
        "description": {"sv": "Om hyss.", "fi": "Kepposista."},
        "category": "theatre",
        "target_groups": ["grade_2"],
        "duration_minutes": 50,
        "venue": {"name": "Lilla scenen", "district": "Centrum", "step_free": True},
        "max_group_size": 30,
        "adults_per_group": 2,
        "booking_policy": "instant",
        "occurrences": [
            {
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
                "capacity": 60,
                "language": "sv",
            }
        ],
    }


def signed_in_from_the_mail(
    browser: Browser, live_site: LiveSite, smtp: EmbeddedSmtp, email: str
) -> Page:
    """A teacher's browser, signed in by the newest link mailed to her."""
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(10_000)
    page = context.new_page()
    before = len(mails_to(smtp, email))
    page.goto(f"{live_site.url}/sign-in")
    page.locator("#link_email").fill(email)
    page.locator("#link_email").press("Enter")

    def sign_in_links() -> list[str]:
        # Other mails (a decision, an offer) may come to her meanwhile: only the new link counts.
        newer = mails_to(smtp, email)[before:]
        return [link for mail in newer for link in links_in(mail) if "/sign-in?token=" in link]

    until(lambda: bool(sign_in_links()), "mailed a sign-in link")
    (link,) = sign_in_links()
    page.goto(link)
    page.get_by_role("button", name="Logga in i Kulturbro").click()
    expect(page).to_have_url(f"{live_site.url}/teacher")
    return page


def test_every_link_in_the_mails_of_a_booking_life_opens_its_page(
    browser: Browser,
    live_site: LiveSite,
    smtp: EmbeddedSmtp,
    api_headers: Callable[[str], dict[str, str]],
    signed_in_page: Callable[..., Page],
    assert_accessible: Callable[[Page], None],
    visit_is_over: Callable[..., None],
) -> None:
    anna = f"anna-{uuid.uuid4().hex[:6]}@example.org"
    files = {
        "units": "id,name,kind,district\nSKO,Bildskolan,school,Centrum\n",
        "groups": "id,unit_id,name,target_group,size\nG2B,SKO,2B,grade_2,24\n",
        "teachers": (
            f"id,name,email,language,invitations,groups\nTA,Anna Berg,{anna},sv,immediate,G2B\n"
        ),
        "dry_run": False,
    }
    with httpx.Client(base_url=live_site.url, timeout=30) as http:
        office = api_headers(live_site.administrator)
        imported = http.post("/api/directory/imports/csv", json=files, headers=office)
        assert imported.status_code == 200, imported.text
        teacher = api_headers(anna)  # her account is made from the import; a link signs her in
        theatre = api_headers(live_site.organizer)
        drafted = http.post("/api/catalog/events", json=an_event_for_grade_2(10), headers=theatre)
        assert drafted.status_code == 201, drafted.text
        emil = drafted.json()["id"]
        published = http.post(f"/api/catalog/events/{emil}/publish", headers=theatre)
        assert published.status_code == 200, published.text
        until(
            lambda: any(
                f"/events/{emil}" in link for m in mails_to(smtp, anna) for link in links_in(m)
            ),
            "invited",
        )
        (group,) = http.get("/api/directory/groups", headers=teacher).json()

        def book(event_id: str) -> str:
            event = http.get(f"/api/catalog/public/events/{event_id}").json()
            asked = {
                "group_id": group["id"],
                "event_id": event_id,
                "occurrence_ids": [event["occurrences"][0]["id"]],
                "pupils": 20,
                "adults": 2,
            }
            booked = http.post("/api/booking/bookings", json=asked, headers=teacher)
            assert booked.status_code == 202, booked.text
            return str(booked.json()["id"])

        visit, cancelled = book(emil), book(live_site.event_id)

        def confirmed(booking_id: str) -> bool:
            mine = http.get("/api/booking/bookings/mine", headers=teacher).json()
            return any(b["id"] == booking_id and b["status"] == "confirmed" for b in mine)

        until(lambda: confirmed(visit) and confirmed(cancelled), "confirmed")
        assert http.delete(f"/api/booking/bookings/{cancelled}", headers=teacher).status_code == 200
    visit_is_over(emil)

    def every_mail_came() -> bool:
        anna_links = {link for m in mails_to(smtp, anna) for link in links_in(m)}
        theatre_links = {link for m in mails_to(smtp, ORGANIZER_CONTACT) for link in links_in(m)}
        wanted = (f"/evaluations/{visit}", f"/bookings/{cancelled}", "/unsubscribe?token=")
        return all(any(w in link for link in anna_links) for w in wanted) and any(
            "/participants" in link for link in theatre_links
        )

    until(every_mail_came, "sent every mail of the booking's life", 60)
    time.sleep(2)  # the mails that were still on their way
    for_anna = {link for mail in mails_to(smtp, anna) for link in links_in(mail)}
    for_theatre = {link for mail in mails_to(smtp, ORGANIZER_CONTACT) for link in links_in(mail)}
    assert len(mails_to(smtp, anna)) >= 9, [str(m["Subject"]) for m in mails_to(smtp, anna)]
    as_anna = signed_in_from_the_mail(browser, live_site, smtp, anna)
    as_theatre = signed_in_page(live_site.organizer, "sv")
    for page, links in ((as_anna, for_anna), (as_theatre, for_theatre)):
        for link in sorted(links):
            assert link.startswith(live_site.url), f"{link} leads away from Kulturbro"
            opened = page.goto(link)
            assert opened is not None and opened.status == 200, (
                f"{link}: {opened and opened.status}"
            )
            expect(page.locator("h1")).to_have_count(1)
            assert_accessible(page)

    # She downloads all Kulturbro holds about her (notify's mails to her included) and asks for
    # its deletion, which the culture office reads.
    as_anna.goto(f"{live_site.url}/teacher/preferences")
    with as_anna.expect_download() as downloading:
        as_anna.get_by_role("link", name="Ladda ner allt Kulturbro har om dig (JSON)").click()
    held = json.loads(Path(downloading.value.path()).read_text())
    assert held["account"]["email"] == anna
    assert set(held["services"]) == {"directory", "booking", "notify"}, held["services"].keys()
    as_anna.locator("#reason").fill("Jag slutar på skolan.")
    as_anna.get_by_role("button", name="Be om radering").click()
    expect(as_anna.get_by_role("status")).to_contain_text("Din begäran är skickad")
    assert_accessible(as_anna)
    office = signed_in_page(live_site.administrator, "sv")
    office.goto(f"{live_site.url}/office/deletion-requests")
    expect(office.locator("#requests tbody tr")).to_contain_text("Jag slutar på skolan.")
    assert_accessible(office)
    # Once it has answered her, the office marks it handled with a note of what was done.
    hers = office.locator("#requests tbody tr", has_text="Jag slutar på skolan.")
    hers.locator("textarea[name=note]").fill("Borttagen ur skolans import.")
    hers.locator("button[type=submit]").click()
    expect(office.get_by_role("status")).to_be_visible()
    expect(hers).to_contain_text("Borttagen ur skolans import.")
    expect(hers).to_contain_text(live_site.administrator)
    expect(hers.locator("form")).to_have_count(0)
    assert_accessible(office)
    refused = as_anna.goto(f"{live_site.url}/office/deletion-requests")
    assert refused is not None and refused.status == 404


def test_a_place_held_for_a_class_that_never_asked_is_taken_from_the_offer_mail(
    browser: Browser,
    live_site: LiveSite,
    smtp: EmbeddedSmtp,
    api_headers: Callable[[str], dict[str, str]],
    assert_accessible: Callable[[Page], None],
) -> None:
    """Outreach: half the seats of a drawn event are held back; the class that never asked is
    offered a place by mail, and its teacher takes it with one button; another teacher may not."""
    maja, olle = (f"{name}-{uuid.uuid4().hex[:6]}@example.org" for name in ("maja", "olle"))
    files = {
        "units": (
            "id,name,kind,district\nEKS,Ekskolan,school,Centrum\nASP,Aspskolan,school,Centrum\n"
        ),
        "groups": (
            "id,unit_id,name,target_group,size\nG3A,EKS,3A,grade_3,20\nG3B,ASP,3B,grade_3,18\n"
        ),
        "teachers": (
            "id,name,email,language,invitations,groups\n"
            f"TM,Maja Ek,{maja},sv,immediate,G3A\nTO,Olle Asp,{olle},sv,immediate,G3B\n"
        ),
        "dry_run": False,
    }
    now = datetime.now(UTC).replace(microsecond=0)
    event = an_event_for_grade_2(12) | {
        "title": {"sv": "Trollflöjten", "en": "The Magic Flute"},
        "target_groups": ["grade_3"],
        "booking_policy": "fair_draw",
        "booking_opens_at": now.isoformat(),
        "booking_closes_at": (now + timedelta(seconds=90)).isoformat(),
        "held_back_share": 50,
    }
    with httpx.Client(base_url=live_site.url, timeout=30) as http:
        office = api_headers(live_site.administrator)
        imported = http.post("/api/directory/imports/csv", json=files, headers=office)
        assert imported.status_code == 200, imported.text
        theatre = api_headers(live_site.organizer)
        drafted = http.post("/api/catalog/events", json=event, headers=theatre)
        assert drafted.status_code == 201, drafted.text
        flute = drafted.json()
        assert flute["held_back_share"] == 50
        published = http.post(f"/api/catalog/events/{flute['id']}/publish", headers=theatre)
        assert published.status_code == 200, published.text
        (group,) = http.get("/api/directory/groups", headers=api_headers(maja)).json()
        asked = {
            "group_id": group["id"],
            "event_id": flute["id"],
            "occurrence_ids": [flute["occurrences"][0]["id"]],
            "pupils": 20,
            "adults": 2,
        }
        answers: list[httpx.Response] = []

        def asked_for_seats() -> bool:
            answers.append(
                http.post("/api/booking/bookings", json=asked, headers=api_headers(maja))
            )
            return answers[-1].status_code == 202

        # The booking service hears of the event and the class a moment after they are made.
        try:
            until(asked_for_seats, "Maja's class asked", 60)
        except AssertionError as still_refused:
            raise AssertionError(f"{still_refused}: {answers[-1].text}") from None

    def offer_links() -> list[str]:
        found = {link for m in mails_to(smtp, olle) for link in links_in(m)}
        return sorted(link for link in found if "/offers/" in link)

    until(lambda: bool(offer_links()), "offered Olle's class a place by mail", 180)
    (offer,) = offer_links()
    assert offer.startswith(live_site.url)

    # Maja teaches another class: the place is not hers to take.
    as_maja = signed_in_from_the_mail(browser, live_site, smtp, maja)
    refused = as_maja.goto(offer)
    assert refused is not None and refused.status == 403
    expect(as_maja.locator("#problem")).to_contain_text("en klass du inte undervisar")
    assert_accessible(as_maja)

    as_olle = signed_in_from_the_mail(browser, live_site, smtp, olle)
    as_olle.goto(offer)
    expect(as_olle.locator("#offer")).to_contain_text("Trollflöjten")
    expect(as_olle.locator("#state")).to_have_text("Hålls för din klass")
    assert_accessible(as_olle)
    as_olle.get_by_role("button", name="Tacka ja till platsen för 3B").click()
    expect(as_olle).to_have_url(re.compile(r"/bookings/[0-9a-f-]+$"))

    def seated() -> bool:
        as_olle.reload()
        return as_olle.locator("#status").inner_text() == "Bekräftad"

    until(seated, "Olle's class seated at once from the held seats")
    assert_accessible(as_olle)
    as_olle.goto(offer)
    expect(as_olle.locator("#state")).to_contain_text("Accepterad")
    expect(as_olle.get_by_role("button")).to_have_count(1)  # signing out; nothing to accept
    as_olle.goto(f"{live_site.url}/offers")
    expect(as_olle.locator("#offers tbody tr")).to_have_count(1)
    assert_accessible(as_olle)
