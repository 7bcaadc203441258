"""A teacher's pages in Chromium over the real platform: signed in from the mailed link, she sees
her own groups (never a colleague's) and the events for them, filtered; each page passes axe-core
in sv, fi and en and is refused to other roles."""

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, Locator, Page, expect

from kulturbro_devstack.testing import wait_until as until

pytestmark = pytest.mark.browser

LiveSite = Any  # conftest.LiveSite; conftest modules are not importable
STAFF_PASSWORD = "correct horse battery staple"
TEACHER_PAGES = [
    "/teacher",
    "/teacher/groups",
    "/teacher/events",
    "/bookings",
    "/teacher/preferences",
]


@dataclass(frozen=True)
class Teacher:
    email: str
    # The signed-in browser's cookies, for each test's own context.
    storage_state: Any


def in_days(days: int, hour: int) -> datetime:
    """As the live site's occurrences are set (conftest.in_days)."""
    day = datetime.now(UTC) + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def the_files(anna: str, bertil: str) -> dict[str, Any]:
    """Anna teaches 2B (grade 2, which the live site's event is for) and 7C; Bertil 3A."""
    return {
        "units": "id,name,kind,district\nSKO,Bildskolan,school,Centrum\n",
        "groups": (
            "id,unit_id,name,target_group,size\n"
            "G2B,SKO,2B,grade_2,24\nG7C,SKO,7C,grade_7,28\nG3A,SKO,3A,grade_3,21\n"
        ),
        "teachers": (
            "id,name,email,language,invitations,groups\n"
            f"TA,Anna Berg,{anna},sv,immediate,G2B G7C\n"
            f"TB,Bertil Ek,{bertil},sv,immediate,G3A\n"
        ),
        "dry_run": False,
    }


@pytest.fixture(scope="module")
def teacher(
    live_site: LiveSite, mailbox: Callable[[str], list[str]], browser: Browser
) -> Iterator[Teacher]:
    """Anna, imported by the culture office with her groups, signed in from her mailed link."""
    anna = f"anna-{uuid.uuid4().hex[:6]}@example.org"
    bertil = f"bertil-{uuid.uuid4().hex[:6]}@example.org"
    with httpx.Client(base_url=live_site.url, timeout=30) as http:
        staff = http.post(
            "/auth/password", json={"email": live_site.administrator, "password": STAFF_PASSWORD}
        )
        assert staff.status_code == 200, staff.text
        office = {"Authorization": f"Bearer {staff.json()['access_token']}"}
        imported = http.post(
            "/api/directory/imports/csv", json=the_files(anna, bertil), headers=office
        )
        assert imported.status_code == 200, imported.text

        def has_an_account() -> bool:
            accounts = http.get("/accounts", params={"limit": 1000}, headers=office)
            return anna in {account["email"] for account in accounts.json()}

        until(has_an_account, "given an account by the gateway")
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    page = context.new_page()
    page.goto(f"{live_site.url}/sign-in")
    page.locator("#link_email").fill(anna)
    page.locator("#link_email").press("Enter")
    expect(page).to_have_url(f"{live_site.url}/sign-in?sent=true")
    until(lambda: bool(mailbox(anna)), "mailed a sign-in link")
    page.goto(mailbox(anna)[-1])
    page.get_by_role("button", name="Logga in i Kulturbro").click()
    expect(page).to_have_url(f"{live_site.url}/teacher")

    # The catalog learns Anna's groups from the directory's events, as the gateway did.
    def her_event_is_listed() -> bool:
        page.goto(f"{live_site.url}/teacher/events")
        return page.get_by_role("link", name="Pippi på scen").count() == 1

    until(her_event_is_listed, "listed for her groups")
    yield Teacher(anna, context.storage_state())
    context.close()


@pytest.fixture
def as_teacher(browser: Browser, teacher: Teacher) -> Iterator[Page]:
    context = browser.new_context(
        locale="sv-SE", timezone_id="Europe/Stockholm", storage_state=teacher.storage_state
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_a_teacher_sees_only_her_own_groups(as_teacher: Page, live_site: LiveSite) -> None:
    as_teacher.goto(f"{live_site.url}/teacher")
    as_teacher.get_by_role("link", name="Mina grupper", exact=True).click()
    expect(as_teacher.locator("h1")).to_have_text("Mina grupper")
    rows = as_teacher.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("2B")
    expect(rows.nth(0)).to_contain_text("Årskurs 2")
    expect(rows.nth(0)).to_contain_text("24")
    expect(rows.nth(1)).to_contain_text("7C")
    expect(as_teacher.locator("main")).not_to_contain_text("3A")  # Bertil's


def test_the_events_for_her_groups_filter_and_say_which_group_each_is_for(
    as_teacher: Page, live_site: LiveSite
) -> None:
    as_teacher.goto(f"{live_site.url}/teacher/events")
    listed = as_teacher.locator("ul.events > li")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("För dina grupper: 2B")
    # Only the target groups of her own groups are offered.
    options = as_teacher.locator("#target_group option")
    expect(options).to_have_text(["Alla mina grupper", "Årskurs 2", "Årskurs 7"])
    as_teacher.locator("#target_group").select_option("grade_7")
    as_teacher.get_by_role("button", name="Visa evenemang").click()
    expect(as_teacher).to_have_url(re.compile(r"/teacher/events\?target_group=grade_7&"))
    expect(listed).to_have_count(0)
    as_teacher.goto(f"{live_site.url}/teacher/events?q=pippi&from=2020-13-01")
    expect(as_teacher.locator("#from")).to_have_attribute("aria-invalid", "true")
    expect(as_teacher.locator("#from-error")).to_contain_text("år-månad-dag")
    expect(as_teacher.locator("#q")).to_have_value("pippi")


@pytest.mark.parametrize("language", ["sv", "fi", "en"])
def test_the_teachers_pages_are_accessible_in_each_language(
    as_teacher: Page,
    live_site: LiveSite,
    assert_accessible: Callable[[Page], None],
    language: str,
) -> None:
    as_teacher.goto(f"{live_site.url}/language?to={language}&next=/")
    for path in TEACHER_PAGES:
        as_teacher.set_viewport_size({"width": 1280, "height": 800})
        answer = as_teacher.goto(live_site.url + path)
        assert answer is not None and answer.status == 200, path
        expect(as_teacher.locator("html")).to_have_attribute("lang", language)
        expect(as_teacher.locator("h1")).to_have_count(1)
        assert_accessible(as_teacher)
        as_teacher.set_viewport_size({"width": 320, "height": 640})
        width = as_teacher.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width} px wide at 320 px"


def test_the_teachers_pages_are_refused_to_other_roles_and_to_no_one_signed_in(
    page: Page, live_site: LiveSite
) -> None:
    for path in TEACHER_PAGES[1:]:
        page.goto(live_site.url + path)
        expect(page).to_have_url(f"{live_site.url}/sign-in?" + urlencode({"next": path}))
    page.goto(f"{live_site.url}/sign-in")
    page.locator("#email").fill(live_site.administrator)
    page.locator("#password").fill(STAFF_PASSWORD)
    page.locator("#password").press("Enter")
    expect(page).to_have_url(f"{live_site.url}/office")
    for path in TEACHER_PAGES[1:]:
        answer = page.goto(live_site.url + path)
        assert answer is not None and answer.status == 404, path
        expect(page.locator("main")).not_to_contain_text("2B")


def test_a_teacher_books_two_preferred_occurrences_reads_the_decision_and_cancels(
    as_teacher: Page, live_site: LiveSite, assert_accessible: Callable[[Page], None]
) -> None:
    as_teacher.goto(f"{live_site.url}/teacher/events")
    as_teacher.get_by_role("link", name="Pippi på scen").click()
    as_teacher.locator(f"a[href='/events/{live_site.event_id}/book']").click()
    expect(as_teacher.locator("h1")).to_have_text("Boka Pippi på scen")
    expect(as_teacher.locator("#rules")).to_contain_text("högst 30 personer")
    assert_accessible(as_teacher)
    # The later occurrence is her first choice: with seats in both, it is the one she gets.
    later = as_teacher.locator("#choice_1 option").nth(2).inner_text().split(" (")[0]
    as_teacher.locator("#pupils").fill("29")
    as_teacher.locator("#choice_1").select_option(index=2)  # the later occurrence first
    as_teacher.locator("#choice_2").select_option(index=1)
    as_teacher.locator("#wants_bus").check()
    as_teacher.locator("#note").fill("Två elever har hörapparat.")
    as_teacher.get_by_role("button", name="Skicka bokningen").click()
    # Refused on the page, beside the field, with everything she wrote kept.
    expect(as_teacher.locator("#error-summary")).to_be_visible()
    expect(as_teacher.locator("#pupils")).to_have_attribute("aria-invalid", "true")
    expect(as_teacher.locator("#pupils-error")).to_contain_text("högst så många som gruppen har")
    expect(as_teacher.locator("#note")).to_have_value("Två elever har hörapparat.")
    expect(as_teacher.locator("#wants_bus")).to_be_checked()
    assert_accessible(as_teacher)
    as_teacher.locator("#pupils").fill("24")
    as_teacher.get_by_role("button", name="Skicka bokningen").click()
    expect(as_teacher).to_have_url(re.compile(r"/bookings/[0-9a-f-]{36}$"))
    booking_url = as_teacher.url

    def decided() -> bool:
        as_teacher.goto(booking_url)
        return as_teacher.locator("#status").inner_text() == "Bekräftad"

    until(decided, "confirmed", 20)
    expect(as_teacher.locator("#explanation")).not_to_be_empty()
    expect(as_teacher.locator("main")).to_contain_text(later)
    assert_accessible(as_teacher)
    with as_teacher.expect_download() as downloading:
        as_teacher.get_by_role("link", name="Lägg till besöket i din kalender").click()
    (visit,) = Calendar.from_ical(Path(downloading.value.path()).read_bytes()).walk("VEVENT")
    booking_id = booking_url.rsplit("/", 1)[1]
    assert visit["UID"] == f"{booking_id}@kulturbro", "the same entry as the mail's file"
    assert visit["SUMMARY"] == "Pippi på scen"
    assert str(visit["URL"]) == booking_url, "the site's address as readers reach it"
    assert visit.decoded("DTSTART") == in_days(27, 8), "her first choice"
    as_teacher.goto(f"{live_site.url}/bookings")
    expect(as_teacher.locator("tbody tr")).to_have_count(1)
    expect(as_teacher.locator("tbody tr")).to_contain_text("Bekräftad")
    assert_accessible(as_teacher)
    as_teacher.goto(booking_url)
    as_teacher.get_by_role("link", name="Avboka").click()
    expect(as_teacher.locator("h1")).to_have_text("Vill du avboka?")
    assert_accessible(as_teacher)
    as_teacher.get_by_role("button", name="Ja, avboka").click()
    expect(as_teacher).to_have_url(booking_url)
    expect(as_teacher.locator("#status")).to_have_text("Bokningen är avbokad")
    expect(as_teacher.locator("#explanation")).to_contain_text("avbokades")
    expect(as_teacher.get_by_role("link", name="Avboka")).to_have_count(0)


def test_a_teacher_signs_in_finds_books_and_cancels_with_the_keyboard_alone(
    page: Page,
    live_site: LiveSite,
    mailbox: Callable[[str], list[str]],
    teacher: Teacher,
    keyboard: Callable[[Page, Locator], None],
) -> None:
    page.goto(f"{live_site.url}/sign-in")
    earlier = len(mailbox(teacher.email))
    keyboard(page, page.locator("#link_email"))
    page.keyboard.type(teacher.email)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_site.url}/sign-in?sent=true")
    until(lambda: len(mailbox(teacher.email)) > earlier, "mailed")
    page.goto(mailbox(teacher.email)[-1])  # opened from the mail
    keyboard(page, page.get_by_role("button", name="Logga in i Kulturbro"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_site.url}/teacher")
    keyboard(page, page.get_by_role("link", name="Evenemang för mina grupper"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_site.url}/teacher/events")
    keyboard(page, page.get_by_role("link", name="Pippi på scen"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_site.url}/events/{live_site.event_id}")
    keyboard(page, page.locator(f"a[href='/events/{live_site.event_id}/book']"))
    page.keyboard.press("Enter")
    keyboard(page, page.locator("#pupils"))
    page.keyboard.type("20")
    keyboard(page, page.locator("#choice_1"))
    page.keyboard.press("ArrowDown")  # the sooner occurrence first
    keyboard(page, page.locator("#choice_2"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    first, second = (page.locator(f"#choice_{n}").input_value() for n in (1, 2))
    assert first and second and first != second
    keyboard(page, page.get_by_role("button", name="Skicka bokningen"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/bookings/[0-9a-f-]{36}$"))
    booking_url = page.url

    def decided() -> bool:
        page.goto(booking_url)
        return page.locator("#status").inner_text() == "Bekräftad"

    until(decided, "confirmed", 20)
    keyboard(page, page.get_by_role("link", name="Avboka"))
    page.keyboard.press("Enter")
    keyboard(page, page.get_by_role("button", name="Ja, avboka"))
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("Bokningen är avbokad")


def test_a_teacher_chooses_her_language_and_invitations_and_the_pages_follow(
    as_teacher: Page, live_site: LiveSite, assert_accessible: Callable[[Page], None]
) -> None:
    as_teacher.goto(f"{live_site.url}/teacher")
    as_teacher.get_by_role("link", name="Mitt språk och mina inbjudningar").click()
    expect(as_teacher.locator("#language-sv")).to_be_checked()
    expect(as_teacher.locator("#language-en")).to_have_count(0)  # Bildstad offers sv and fi
    expect(as_teacher.locator("#invitations-immediate")).to_be_checked()
    as_teacher.locator("#language-fi").check()
    as_teacher.locator("#invitations-weekly_digest").check()
    as_teacher.get_by_role("button", name="Spara").click()
    expect(as_teacher).to_have_url(f"{live_site.url}/teacher/preferences?saved=1")
    # The next page already speaks her new language: the stored one is asked again.
    expect(as_teacher.locator("html")).to_have_attribute("lang", "fi")
    expect(as_teacher.get_by_role("status")).to_have_text("Valintasi on tallennettu.")
    expect(as_teacher.locator("#invitations-weekly_digest")).to_be_checked()
    assert_accessible(as_teacher)
    as_teacher.locator("#language-sv").check()
    as_teacher.get_by_role("button", name="Tallenna").click()
    expect(as_teacher.locator("html")).to_have_attribute("lang", "sv")


def test_a_teacher_evaluates_her_visit_from_the_mailed_link_and_corrects_it(
    as_teacher: Page,
    live_site: LiveSite,
    assert_accessible: Callable[[Page], None],
    visit_is_over: Callable[..., None],
) -> None:
    as_teacher.goto(f"{live_site.url}/events/{live_site.event_id}/book")
    as_teacher.locator("#group").select_option(index=1)
    as_teacher.locator("#pupils").fill("20")
    as_teacher.locator("#choice_1").select_option(index=1)  # the first occurrence
    as_teacher.get_by_role("button", name="Skicka bokningen").click()
    expect(as_teacher).to_have_url(re.compile(r"/bookings/[0-9a-f-]{36}$"))
    booking_url = as_teacher.url

    def decided() -> bool:
        as_teacher.goto(booking_url)
        return as_teacher.locator("#status").inner_text() == "Bekräftad"

    until(decided, "confirmed", 20)
    # The link of the mail sent after the visit; before it, the page says when.
    evaluation_url = booking_url.replace("/bookings/", "/evaluations/")
    as_teacher.goto(evaluation_url)
    expect(as_teacher.locator("#not-yet")).to_contain_text("när det har slutat")
    expect(as_teacher.locator("form[action^='/evaluations/']")).to_have_count(0)
    visit_is_over()

    def open_to_evaluate() -> bool:
        as_teacher.goto(evaluation_url)
        return as_teacher.locator("#came-yes").count() == 1

    until(open_to_evaluate, "open to evaluate")
    expect(as_teacher.locator("h1")).to_have_text("Utvärdera besöket")
    expect(as_teacher.locator("#score_bus")).to_have_count(0)  # no bus was wanted
    assert_accessible(as_teacher)
    as_teacher.locator("#came-yes").check()
    as_teacher.locator("#pupils_present").fill("19")
    as_teacher.locator("#score_overall-5").check()
    as_teacher.get_by_role("button", name="Skicka utvärderingen").click()
    # Every unanswered question is said beside itself; what she gave is kept.
    expect(as_teacher.locator("#error-summary")).to_be_visible()
    expect(as_teacher.locator("#score_age_fit-error")).to_contain_text("Välj från 1 (dåligt)")
    expect(as_teacher.locator("#score_age_fit")).to_have_attribute("aria-invalid", "true")
    expect(as_teacher.locator("#score_overall-error")).to_have_count(0)
    expect(as_teacher.locator("#score_overall-5")).to_be_checked()
    expect(as_teacher.locator("#pupils_present")).to_have_value("19")
    assert_accessible(as_teacher)
    for question, score in (("age_fit", 4), ("engagement", 5), ("arrangements", 3)):
        as_teacher.locator(f"#score_{question}-{score}").check()
    as_teacher.locator("#comment").fill("Eleverna pratade om det hela veckan.")
    as_teacher.get_by_role("button", name="Skicka utvärderingen").click()
    expect(as_teacher).to_have_url(f"{evaluation_url}?saved=1")
    expect(as_teacher.get_by_role("status")).to_have_text("Tack! Din utvärdering är sparad.")
    expect(as_teacher.locator("#correctable")).to_contain_text("rätta dina svar")
    # She corrects it: the form holds what she gave.
    expect(as_teacher.locator("#score_arrangements-3")).to_be_checked()
    as_teacher.locator("#pupils_present").fill("20")
    as_teacher.get_by_role("button", name="Spara rättelsen").click()
    expect(as_teacher).to_have_url(f"{evaluation_url}?saved=1")
    expect(as_teacher.locator("#pupils_present")).to_have_value("20")
    expect(as_teacher.locator("#comment")).to_have_value("Eleverna pratade om det hela veckan.")
    for language, title in (("fi", "Arvioi vierailu"), ("en", "Evaluate the visit")):
        as_teacher.goto(
            f"{live_site.url}/language?to={language}&next=/evaluations/"
            + evaluation_url.rsplit("/", 1)[1]
        )
        expect(as_teacher.locator("h1")).to_have_text(title)
        assert_accessible(as_teacher)
