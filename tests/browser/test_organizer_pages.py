"""An organizer's pages in Chromium over the real platform: their events by status; an event
drafted with two occurrences (bad input first: the errors stand beside their fields, the values
stay), published, one occurrence cancelled and then the event; a closed booking window refused
beside its field; the form done with the keyboard alone; axe-core in sv, fi and en; the pages are
refused to other roles and a form without its token is refused."""

import csv
import io
import re
import uuid
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from kulturbro_devstack.testing import wait_until as until

pytestmark = pytest.mark.browser

LiveSite = Any  # conftest.LiveSite; conftest modules are not importable
PASSWORD = "correct horse battery staple"
ZONE = ZoneInfo("Europe/Stockholm")  # the live site's municipality's


def local_day(days: int) -> str:
    return (datetime.now(ZONE) + timedelta(days=days)).date().isoformat()


def fill_the_details(page: Page, title: str) -> None:
    page.fill("#title_sv", title)
    page.fill("#description_sv", "En kväll med visor.")
    page.select_option("#category", "music")
    page.check("#tg-grade_4")
    page.fill("#duration_minutes", "45")
    page.fill("#venue_name", "Konserthuset")
    page.check("#venue_step_free")
    page.check("#venue_lunch_room")
    page.fill("#max_group_size", "30")
    page.fill("#adults_per_group", "2")


def test_an_organizer_drafts_publishes_and_cancels_an_event(
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    assert_accessible: Callable[[Page], None],
) -> None:
    page = signed_in_page(live_site.organizer)
    page.goto(f"{live_site.url}/organizer")
    page.click("text=My events")
    expect(page.locator("h1")).to_have_text("My events")
    expect(page.locator("section:has(#status-published)")).to_contain_text("Pippi on stage")
    assert_accessible(page)

    page.click("text=Create an event")
    # Nothing filled in but a title and one half-filled occurrence: every error beside its field.
    page.fill("#title_sv", "Visor i vinter")
    page.fill("#occ-0-date", local_day(30))
    page.fill("#occ-0-start", "10:00")
    page.click("button:has-text('Save as a draft')")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#category-error")).to_contain_text("Choose a category")
    expect(page.locator("#target_groups-error")).to_contain_text("at least one target group")
    expect(page.locator("#occ-0-capacity-error")).to_contain_text("number of seats")
    expect(page.locator("#venue_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#title_sv")).to_have_value("Visor i vinter")
    expect(page.locator("#occ-0-start")).to_have_value("10:00")
    assert_accessible(page)

    # A third row without JavaScript: the form comes back with one more, values kept.
    page.click("button:has-text('Add another occurrence')")
    expect(page.locator("#occ-1-date")).to_have_value("")
    expect(page.locator("#occ-0-date")).to_have_value(local_day(30))
    fill_the_details(page, "Visor i vinter")
    page.fill("#occ-0-end", "10:45")
    page.fill("#occ-0-capacity", "60")
    page.fill("#occ-1-date", local_day(37))
    page.fill("#occ-1-start", "13:15")
    page.fill("#occ-1-end", "14:00")
    page.fill("#occ-1-capacity", "60")
    page.click("button:has-text('Save as a draft')")
    expect(page).to_have_url(re.compile(r"/organizer/events/[0-9a-f-]{36}$"))
    expect(page.locator("h1")).to_have_text("Visor i vinter")
    # Shown back in the municipality's time, as typed.
    expect(page.locator("table")).to_contain_text("10:00–10:45")
    expect(page.locator("table")).to_contain_text("13:15–14:00")
    assert_accessible(page)

    page.click("button:has-text('Publish')")
    expect(page.locator("[role=status]")).to_contain_text("The event is published")
    event_url = page.url.split("?")[0]
    public = page.request.get(event_url.replace("/organizer/events/", "/events/"))
    assert public.status == 200 and "Visor i vinter" in public.text()

    # An occurrence added with fewer seats than the largest group: refused beside its seats.
    page.fill("#occ-0-date", local_day(44))
    page.fill("#occ-0-start", "10:00")
    page.fill("#occ-0-end", "10:45")
    page.fill("#occ-0-capacity", "10")
    page.click("button:has-text('Add the occurrence')")
    expect(page.locator("#occ-0-capacity-error")).to_contain_text("as many seats as the largest")
    expect(page.locator("#occ-0-capacity")).to_have_value("10")
    expect(page.locator("tbody tr")).to_have_count(2)  # nothing half-saved
    assert_accessible(page)

    # The second occurrence moved by half an hour, shown back in local time.
    page.locator("tbody tr").nth(1).get_by_role("link", name="Change").click()
    expect(page.locator("#occ-0-start")).to_have_value("13:15")
    assert_accessible(page)
    page.fill("#occ-0-start", "13:45")
    page.fill("#occ-0-end", "14:30")
    page.click("button:has-text('Save the occurrence')")
    expect(page.locator("[role=status]")).to_contain_text("The occurrence is changed")
    expect(page.locator("table")).to_contain_text("13:45–14:30")

    page.locator("tbody tr").first.get_by_role("link", name="Cancel").click()
    expect(page.locator("h1")).to_contain_text("Cancel the occurrence")
    assert_accessible(page)
    page.fill("#reason", "Sjukdom i ensemblen")
    page.click("button:has-text('Yes, cancel the occurrence')")
    expect(page.locator("[role=status]")).to_contain_text("The occurrence is cancelled")
    expect(page.locator("tbody tr").first).to_contain_text("Called off")

    page.click("text=Cancel the event")
    page.click("button:has-text('Yes, cancel the event')")
    expect(page.locator("[role=status]")).to_contain_text("The event is cancelled")
    page.goto(f"{live_site.url}/organizer/events")
    expect(page.locator("section:has(#status-cancelled)")).to_contain_text("Visor i vinter")


def test_a_closed_booking_window_is_refused_beside_its_field_and_a_copy_is_prefilled(
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    assert_accessible: Callable[[Page], None],
) -> None:
    page = signed_in_page(live_site.organizer, "sv")
    page.goto(f"{live_site.url}/organizer/events/new")
    fill_the_details(page, "Stängt fönster")
    closed = (datetime.now(ZONE) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#booking_closes_at", closed)
    page.fill("#occ-0-date", local_day(40))
    page.fill("#occ-0-start", "09:00")
    page.fill("#occ-0-end", "10:00")
    page.fill("#occ-0-capacity", "40")
    page.click("button[value=save]")
    expect(page.locator("h1")).to_have_text("Stängt fönster")
    page.click("button:has-text('Publicera')")
    # The catalog's 422 naming booking_closes_at, in Swedish beside that field, values kept.
    expect(page.locator("#booking_closes_at-error")).to_contain_text("Bokningen måste stänga")
    expect(page.locator("#booking_closes_at")).to_have_value(closed)
    expect(page.locator("#booking_closes_at")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.fill("#booking_closes_at", "")
    page.click("button[value=publish]")
    expect(page.locator("[role=status]")).to_contain_text("publicerat")

    page.click("text=Kopiera till ett nytt evenemang")
    expect(page.locator("#title_sv")).to_have_value("Stängt fönster")
    expect(page.locator("#tg-grade_4")).to_be_checked()
    expect(page.locator("#occ-0-start")).to_have_value("09:00")
    expect(page.locator("#occ-1-date")).to_have_value("")
    # The copy, saved as a draft, is deleted again: nobody had seen it.
    page.fill("#title_sv", "Kopia att radera")
    page.click("button[value=save]")
    expect(page.locator("h1")).to_have_text("Kopia att radera")
    page.click("text=Radera utkastet")
    expect(page.locator("h1")).to_have_text("Radera utkastet Kopia att radera?")
    assert_accessible(page)
    page.click("button:has-text('Ja, radera utkastet')")
    expect(page).to_have_url(f"{live_site.url}/organizer/events?deleted=1")
    expect(page.locator("[role=status]")).to_have_text("Utkastet är raderat.")
    expect(page.locator("main")).not_to_contain_text("Kopia att radera")


@pytest.mark.parametrize("language", ["sv", "fi", "en"])
def test_the_organizer_pages_are_accessible_in_each_language(
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    assert_accessible: Callable[[Page], None],
    language: str,
) -> None:
    page = signed_in_page(live_site.organizer, language)
    event = f"/organizer/events/{live_site.event_id}"
    occurrence = page.request.get(f"{live_site.url}/api/catalog/public/events/{live_site.event_id}")
    first = occurrence.json()["occurrences"][0]["id"]
    for path in [
        "/organizer",
        "/organizer/events",
        "/organizer/events/new",
        event,
        f"{event}/edit",
        f"{event}/cancel",
        f"{event}/occurrences/{first}/cancel",
        f"{event}/occurrences/{first}/edit",
        f"/organizer/events/new?copy={live_site.event_id}",
    ]:
        page.set_viewport_size({"width": 1280, "height": 800})
        answer = page.goto(live_site.url + path)
        assert answer is not None and answer.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page)
        page.set_viewport_size({"width": 320, "height": 640})
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width} px wide at 320 px"


def test_the_create_form_is_done_with_the_keyboard_alone(
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    keyboard: Callable[[Page, Locator], None],
) -> None:
    page = signed_in_page(live_site.organizer)
    page.goto(f"{live_site.url}/organizer/events/new")
    keyboard(page, page.locator("#title_sv"))
    page.keyboard.type("Tangentbordets dag")
    keyboard(page, page.locator("#description_sv"))
    page.keyboard.type("Allt med tangenterna.")
    keyboard(page, page.locator("#category"))
    page.keyboard.press("ArrowDown")  # the first category after "Choose"
    keyboard(page, page.locator("#duration_minutes"))
    page.keyboard.type("40")
    keyboard(page, page.locator("#tg-grade_5"))
    page.keyboard.press("Space")
    keyboard(page, page.locator("#venue_name"))
    page.keyboard.type("Lilla salen")
    keyboard(page, page.locator("#max_group_size"))
    page.keyboard.type("25")
    keyboard(page, page.locator("#adults_per_group"))
    page.keyboard.type("2")
    keyboard(page, page.locator("#occ-0-date"))
    day = datetime.now(ZONE) + timedelta(days=50)
    # Headless Chromium lays date and time fields out as en-US whatever the locale:
    # month, day, year; hours, minutes, AM/PM. Each part moves on when it is full.
    page.keyboard.type(day.strftime("%m%d%Y"))
    keyboard(page, page.locator("#occ-0-start"))
    page.keyboard.type("0900AM")
    keyboard(page, page.locator("#occ-0-end"))
    page.keyboard.type("0940AM")
    keyboard(page, page.locator("#occ-0-capacity"))
    page.keyboard.type("50")
    keyboard(page, page.locator("button[value=save]"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    assert summary.count() == 0, summary.inner_text()
    expect(page.locator("h1")).to_have_text("Tangentbordets dag")
    expect(page.locator("table")).to_contain_text("09:00–09:40")


def test_other_roles_are_refused_and_a_form_without_its_token_changes_nothing(
    signed_in_page: Callable[..., Page], live_site: LiveSite
) -> None:
    page = signed_in_page(live_site.administrator)
    for path in ["/organizer/events", f"/organizer/events/{live_site.event_id}"]:
        answer = page.goto(live_site.url + path)
        assert answer is not None and answer.status == 404, path
        expect(page.locator("body")).not_to_contain_text("Pippi")
    page = signed_in_page(live_site.organizer)
    refused = page.request.post(
        f"{live_site.url}/organizer/events/{live_site.event_id}/cancel",
        form={"reason": "no token"},
        max_redirects=0,
    )
    assert refused.status == 403
    page.goto(f"{live_site.url}/organizer/events/{live_site.event_id}")
    expect(page.locator(".ds-tag")).to_have_text("Published")
    # An event id that is not this organizer's is not found.
    other = page.goto(f"{live_site.url}/organizer/events/00000000-0000-4000-8000-000000000000")
    assert other is not None and other.status == 404


def a_confirmed_booking(site: LiveSite, api_headers: Callable[[str], dict[str, str]]) -> None:
    """A teacher of the municipality books the live event's first occurrence through the API,
    with a note a spreadsheet would run as a formula, until the booking is confirmed."""
    cecilia = f"cecilia-{uuid.uuid4().hex[:6]}@example.org"
    files = {
        "units": "id,name,kind,district\nPRK,Parkskolan,school,Centrum\n",
        "groups": "id,unit_id,name,target_group,size\nG1A,PRK,1A,grade_1,22\n",
        "teachers": (
            "id,name,email,language,invitations,groups\n"
            f"TC,Cecilia Lund,{cecilia},sv,immediate,G1A\n"
        ),
        "dry_run": False,
    }
    with httpx.Client(base_url=site.url, timeout=30) as http:
        office = api_headers(site.administrator)
        imported = http.post("/api/directory/imports/csv", json=files, headers=office)
        assert imported.status_code == 200, imported.text
        teacher = api_headers(cecilia)
        groups = http.get("/api/directory/groups", headers=teacher).json()
        event = http.get(f"/api/catalog/public/events/{site.event_id}").json()
        body = {
            "group_id": groups[0]["id"],
            "event_id": site.event_id,
            "occurrence_ids": [event["occurrences"][0]["id"]],
            "pupils": 22,
            "adults": 2,
            "wheelchair_places": 1,
            "wants_bus": True,
            "note": "=1+1 allergi mot nötter",
        }
        booking: dict[str, Any] = {}

        def booked() -> bool:
            # The booking service learns the group and the event from the bus, a moment later.
            answer = http.post("/api/booking/bookings", json=body, headers=teacher)
            booking.update(answer.json())
            return answer.status_code == 202

        until(booked, "booked")

        def confirmed() -> bool:
            mine = http.get("/api/booking/bookings/mine", headers=teacher).json()
            return any(b["id"] == booking["id"] and b["status"] == "confirmed" for b in mine)

        until(confirmed, "confirmed")


def test_an_organizer_reads_and_downloads_who_comes_to_each_occurrence_and_records_who_came(
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    api_headers: Callable[[str], dict[str, str]],
    assert_accessible: Callable[[Page], None],
    visit_is_over: Callable[..., None],
) -> None:
    a_confirmed_booking(live_site, api_headers)
    page = signed_in_page(live_site.organizer, "sv")
    # What the mail to organizers links to.
    page.goto(f"{live_site.url}/events/{live_site.event_id}/participants")
    expect(page.locator("h1")).to_contain_text("Pippi på scen")
    first = page.locator("section").first
    expect(first.locator("tbody tr")).to_have_count(1)
    expect(first.locator("tbody tr")).to_contain_text("Parkskolan")
    expect(first.locator("caption")).to_contain_text("22 elever")
    assert_accessible(page)
    with page.expect_download() as downloading:
        first.get_by_role("link", name=re.compile("CSV")).click()
    text = Path(downloading.value.path()).read_bytes().decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    assert header[:3] == ["Skola", "Grupp", "Elever"]
    # A teacher's note stays text: never a formula in the organizer's spreadsheet.
    assert row == ["Parkskolan", "1A", "22", "2", "1", "Ja", "'=1+1 allergi mot nötter"]
    with page.expect_download() as downloading:
        first.get_by_role("link", name=re.compile("Excel")).click()
    with zipfile.ZipFile(downloading.value.path()) as xlsx:
        strings = xlsx.read("xl/sharedStrings.xml").decode()
    assert "Parkskolan" in strings and "Rullstolsplatser" in strings
    for language in ("fi", "en"):
        page.goto(
            f"{live_site.url}/language?to={language}&next=/events/{live_site.event_id}/participants"
        )
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(page)
    # Another role, and no one signed in, is shown none of it.
    office = signed_in_page(live_site.administrator)
    answer = office.goto(f"{live_site.url}/events/{live_site.event_id}/participants")
    assert answer is not None and answer.status == 404
    expect(office.locator("body")).not_to_contain_text("Parkskolan")
    csv_link = f"{live_site.url}/events/{live_site.event_id}/participants"
    assert "Parkskolan" not in httpx.get(csv_link, follow_redirects=True).text

    # Before the visit there is nothing to record; once it has begun, who came.
    expect(page.get_by_role("heading", name="Who came")).to_have_count(0)
    visit_is_over()
    page.goto(f"{live_site.url}/events/{live_site.event_id}/participants")
    came = page.locator("input[type=radio][value=yes]")
    pupils = page.locator("input[id^=pupils-]")
    came.check()
    page.get_by_role("button", name="Save who came").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(pupils).to_have_attribute("aria-invalid", "true")
    expect(came).to_be_checked()
    assert_accessible(page)

    def recorded() -> bool:
        # The booking service hears of the visit's new time a moment after the catalog.
        page.locator("input[type=radio][value=yes]").check()
        page.locator("input[id^=pupils-]").fill("20")
        page.get_by_role("button", name="Save who came").click()
        return page.get_by_role("status").filter(has_text="Who came is saved.").count() == 1

    until(recorded, "recorded")
    expect(pupils).to_have_value("20")
    expect(came).to_be_checked()
    assert_accessible(page)


def test_an_organizer_pages_through_many_drafts(
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    api_headers: Callable[[str], dict[str, str]],
    assert_accessible: Callable[[Page], None],
) -> None:
    theatre = api_headers(live_site.organizer)
    draft = {
        "title": {"sv": "Utkast"},
        "description": {"sv": "Ett utkast."},
        "category": "theatre",
        "target_groups": ["grade_3"],
        "duration_minutes": 45,
        "venue": {"name": "Studion"},
        "max_group_size": 30,
        "adults_per_group": 2,
        "booking_policy": "instant",
    }
    with httpx.Client(base_url=live_site.url, timeout=30) as http:
        for number in range(21):
            made = http.post(
                "/api/catalog/events",
                json=draft | {"title": {"sv": f"Utkast {number:02d}"}},
                headers=theatre,
            )
            assert made.status_code == 201, made.text
    page = signed_in_page(live_site.organizer, "sv")
    page.goto(f"{live_site.url}/organizer/events")
    drafts = page.locator("section:has(#status-draft)")
    expect(page.locator("#status-draft")).to_have_text(re.compile(r"Utkast \((2[1-9])\)"))
    expect(drafts.locator("tbody tr")).to_have_count(20)
    expect(drafts).to_contain_text("Utkast 20")  # the newest first
    assert_accessible(page)
    drafts.get_by_role("link", name="Nästa sida").click()
    expect(page).to_have_url(re.compile(r"[?&]draft=2"))
    expect(drafts).to_contain_text("Utkast 00")
    expect(page.locator("section:has(#status-published) tbody tr")).not_to_have_count(0)
