"""The follow-up in Chromium over the real platform, the stats service included: three classes of
one school visit the live event and evaluate it; the organizer reads the evaluations once three
groups have answered, the culture office the school year's statistics with the school that had
no visit; each page passes axe-core in sv and en and is refused to other roles."""

import csv
import io
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from kulturbro_devstack.testing import wait_until

pytestmark = pytest.mark.browser

LiveSite = Any  # conftest.LiveSite; conftest modules are not importable
CLASSES = ("2A", "2B", "2C")


def until(check: Callable[[], bool], what: str, seconds: float = 60) -> None:
    wait_until(check, what, seconds)


@pytest.fixture(scope="module")
def live_site_with() -> Mapping[str, Mapping[str, str]]:
    return {"stats": {}}


@pytest.fixture(scope="module")
def visited(
    live_site: LiveSite,
    api_headers: Callable[[str], dict[str, str]],
    visit_is_over: Callable[..., None],
) -> None:
    """Three classes of Lindskolan visited the live event and evaluated it; Björkskolan's class
    had no visit."""
    teachers = {name: f"t{name.lower()}-{uuid.uuid4().hex[:6]}@example.org" for name in CLASSES}
    groups = "".join(f"G{name},LIN,{name},grade_2,20\n" for name in CLASSES)
    files = {
        "units": (
            "id,name,kind,district\nLIN,Lindskolan,school,Centrum\nBJO,Björkskolan,school,Centrum\n"
        ),
        "groups": f"id,unit_id,name,target_group,size\n{groups}G2D,BJO,2D,grade_2,18\n",
        "teachers": "id,name,email,language,invitations,groups\n"
        + "".join(f"T{n},Lärare {n},{e},sv,immediate,G{n}\n" for n, e in teachers.items()),
        "dry_run": False,
    }
    with httpx.Client(base_url=live_site.url, timeout=30) as http:
        imported = http.post(
            "/api/directory/imports/csv", json=files, headers=api_headers(live_site.administrator)
        )
        assert imported.status_code == 200, imported.text
        event = http.get(f"/api/catalog/public/events/{live_site.event_id}").json()
        bookings = {}
        for name, email in teachers.items():
            teacher = api_headers(email)
            (group,) = http.get("/api/directory/groups", headers=teacher).json()
            asked = {
                "group_id": group["id"],
                "event_id": live_site.event_id,
                "occurrence_ids": [event["occurrences"][0]["id"]],
                "pupils": 20,
                "adults": 2,
            }

            def booked(
                teacher: dict[str, str] = teacher, asked: dict[str, Any] = asked, name: str = name
            ) -> bool:
                answer = http.post("/api/booking/bookings", json=asked, headers=teacher)
                bookings[name] = answer.json().get("id")
                return answer.status_code == 202

            until(booked, f"booked for {name}")

        def confirmed() -> bool:
            seated = 0
            for email in teachers.values():
                mine = http.get("/api/booking/bookings/mine", headers=api_headers(email)).json()
                seated += sum(b["status"] == "confirmed" for b in mine)
            return seated == len(CLASSES)

        until(confirmed, "confirmed")
        visit_is_over()
        for score, (name, email) in enumerate(teachers.items(), start=3):
            answers = {
                "came": True,
                "pupils_present": 19,
                "scores": {"overall": score, "age_fit": 4, "engagement": 5, "arrangements": 4},
                "comment": f"Klass {name} tyckte om det.",
            }
            url = f"/api/booking/bookings/{bookings[name]}/evaluation"

            def evaluated(
                url: str = url, answers: dict[str, Any] = answers, email: str = email
            ) -> bool:
                # The booking service hears of the visit's new time a moment after the catalog.
                given = http.put(url, json=answers, headers=api_headers(email))
                return given.status_code == 200

            until(evaluated, f"evaluated by {name}")


def test_the_organizer_reads_the_evaluations_once_three_groups_have_answered(
    visited: None,
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    assert_accessible: Callable[[Page], None],
) -> None:
    page = signed_in_page(live_site.organizer, "sv")

    def shown() -> bool:
        page.goto(f"{live_site.url}/organizer/evaluations")
        return page.get_by_text("3 grupper har svarat.").count() == 1

    until(shown, "evaluations shown")
    expect(page.locator("h1")).to_have_text("Utvärderingar")
    overall = page.locator("tr", has_text="Föreställningen eller besöket som helhet")
    expect(overall.locator("td").nth(1)).to_have_text("4,00")  # 3, 4 and 5: their mean
    expect(page.locator("ul.comments li")).to_have_count(3)
    assert_accessible(page)
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Ladda ner som CSV").click()
    table = list(csv.reader(io.StringIO(downloading.value.path().read_text(encoding="utf-8-sig"))))
    assert "overall" in [row[4] for row in table[1:]], table[:3]
    page.goto(f"{live_site.url}/language?to=en&next=/organizer/evaluations")
    expect(page.locator("h1")).to_have_text("Evaluations")
    assert_accessible(page)
    refused = page.goto(f"{live_site.url}/office/statistics")
    assert refused is not None and refused.status == 404


def test_the_culture_office_reads_the_school_years_statistics(
    visited: None,
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    assert_accessible: Callable[[Page], None],
) -> None:
    page = signed_in_page(live_site.administrator, "sv")
    page.goto(f"{live_site.url}/office")
    page.get_by_role("link", name="Statistik").click()
    expect(page.locator("h1")).to_have_text("Statistik")

    def counted() -> bool:
        page.reload()
        return page.locator("#rows tbody tr", has_text="Lindskolan").count() == 1

    until(counted, "Lindskolan's visits counted")
    expect(page.locator("#unreached")).to_contain_text("Björkskolan")
    expect(page.locator("#fresh")).to_contain_text("Siffror per")
    assert_accessible(page)
    page.select_option("#by", "district")
    page.get_by_role("button", name="Visa siffrorna").click()
    expect(page.locator("#rows tbody tr")).to_have_count(1)
    expect(page.locator("#rows tbody tr")).to_contain_text("Centrum")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Ladda ner som CSV").click()
    text = downloading.value.path().read_text(encoding="utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[0] == "district" and any(row[1] == "Centrum" for row in rows), text[:300]
    page.goto(f"{live_site.url}/language?to=en&next=/office/statistics")
    expect(page.locator("h1")).to_have_text("Statistics")
    expect(page.locator("#publishes")).to_be_checked()  # published unless it chooses not
    assert_accessible(page)
    page.goto(f"{live_site.url}/office/evaluations")
    expect(page.get_by_text("3 groups answered.")).to_have_count(1)
    assert_accessible(page)


def test_anyone_compares_the_open_indicators_with_small_counts_withheld(
    visited: None,
    page: Page,
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    assert_accessible: Callable[[Page], None],
) -> None:
    page.goto(f"{live_site.url}/language?to=sv&next=/")
    page.get_by_role("link", name="Öppna indikatorer").click()
    expect(page.locator("h1")).to_have_text("Öppna indikatorer")
    bildstad = page.locator("#indicators tbody tr", has_text="Bildstad")
    until(lambda: bool(page.reload()) and bildstad.count() == 1, "Bildstad published")
    # Two schools and three evaluations: too few to show some figures, which are withheld.
    expect(bildstad.locator("abbr")).not_to_have_count(0)
    expect(page.locator("#licence")).to_contain_text("CC-BY-4.0")
    assert_accessible(page)
    data = page.get_by_role("link", name="JSON-stat 2.0").get_attribute("href")
    dataset = httpx.get(f"{live_site.url}{data}").json()
    assert dataset["version"] == "2.0" and dataset["status"], dataset.get("status")
    page.get_by_role("link", name="Hur varje indikator beräknas").first.click()
    expect(page.locator("#definitions dt")).not_to_have_count(0)
    assert_accessible(page)
    page.goto(f"{live_site.url}/language?to=en&next=/open")
    expect(page.locator("h1")).to_have_text("Open indicators")
    assert_accessible(page)
    # The culture office chooses not to publish: Bildstad leaves the open table.
    office = signed_in_page(live_site.administrator, "en")
    office.goto(f"{live_site.url}/office/statistics")
    office.locator("#publishes").uncheck()
    office.get_by_role("button", name="Save").click()
    expect(office.get_by_role("status")).to_contain_text("no longer published")
    expect(office.locator("#publishes")).not_to_be_checked()
    until(lambda: bool(page.reload()) and bildstad.count() == 0, "Bildstad withdrawn")


def test_the_culture_office_reads_its_reach_and_the_groups_not_reached_and_sets_its_goal(
    visited: None,
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    assert_accessible: Callable[[Page], None],
) -> None:
    page = signed_in_page(live_site.administrator, "sv")
    page.goto(f"{live_site.url}/office")
    page.get_by_role("link", name="Räckvidd").click()
    expect(page.locator("h1")).to_have_text("Räckvidd")

    def counted() -> bool:
        page.reload()
        return "3 / " in page.locator("#terms tbody tr").last.inner_text()

    until(counted, "the three classes of Lindskolan counted as reached")
    not_reached = page.locator("#unreached tbody")
    expect(not_reached).to_contain_text("Björkskolan")
    expect(not_reached).to_contain_text("2D")
    expect(not_reached).not_to_contain_text("Lindskolan")
    expect(page.locator("#unreached th", has_text="Björkskolan")).to_contain_text(
        "ingen grupp nådd"
    )
    assert_accessible(page)

    page.locator("#visits_per_group").fill("13")
    page.get_by_role("button", name="Spara målet").click()
    expect(page.locator("#visits_per_group-error")).to_contain_text("1 till 12")
    assert_accessible(page)
    page.locator("#visits_per_group").fill("2")
    page.get_by_role("button", name="Spara målet").click()
    expect(page.locator("#goal ~ [role=status]")).to_contain_text("sparat")
    expect(page.get_by_text("Mål: 100 % av grupperna har 2 besök eller fler")).to_have_count(1)
    page.goto(f"{live_site.url}/language?to=fi&next=/office/reach")
    expect(page.locator("h1")).to_have_text("Tavoittavuus")
    assert_accessible(page)
