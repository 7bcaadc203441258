"""The culture office browses and searches its schools, groups and teachers, keeps its
municipality's settings and reads its audit log, in Chromium over the real platform: found by
words, a school's groups page by page, settings refused beside their field and then saved, the
log newest first; axe-core in sv, fi and en; no other role sees any of it."""

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

LiveSite = Any  # conftest.LiveSite; conftest modules are not importable
PASSWORD = "correct horse battery staple"
UNITS = (
    "id,name,kind,school_forms,district\n"
    "AAS,Åsens skola,school,GR,Centrum\n"
    "BKS,Backens förskola,preschool,FS,Centrum\n"
)
# 60 classes at Åsen: more than one page of 50.
GROUPS = "id,unit_id,name,target_group,size\n" + "".join(
    f"AAS-{n:02},AAS,Klass {n:02},grade_3,{20 + n % 5}\n" for n in range(1, 61)
)
GROUPS += "BKS-IG,BKS,Igelkottarna,preschool_3_5,16\n"
TEACHERS = (
    "id,name,email,language,invitations,groups\n"
    "L1,Lena Ek,lena.ek@example.org,sv,immediate,AAS-01 AAS-02\n"
    "L2,Aino Koski,aino.koski@example.org,fi,weekly_digest,BKS-IG\n"
)


def _token(site: LiveSite, http: httpx.Client, email: str) -> str:
    signed_in = http.post("/auth/password", json={"email": email, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    token: str = signed_in.json()["access_token"]
    return token


ANALYST = f"analyst-{uuid.uuid4().hex[:6]}@example.org"


@pytest.fixture(scope="module")
def imported(live_site: LiveSite) -> Iterator[LiveSite]:
    """The three files imported, and an analyst's account, through the gateway's API."""
    with httpx.Client(base_url=live_site.url, timeout=30) as http:
        token = _token(live_site, http, live_site.administrator)
        as_office = {"Authorization": f"Bearer {token}"}
        body = {"units": UNITS, "groups": GROUPS, "teachers": TEACHERS}
        done = http.post("/api/directory/imports/csv", json=body, headers=as_office)
        assert done.status_code == 200, done.text
        analyst = {"email": ANALYST, "role": "analyst", "password": PASSWORD}
        created = http.post("/accounts", json=analyst, headers=as_office)
        assert created.status_code == 201, created.text
        # The allocation service learns of the groups from the bus: wait until it has both schools.
        deadline = time.monotonic() + 30
        while http.get("/api/allocation/fairness", headers=as_office).json()["schools"] < 2:
            assert time.monotonic() < deadline, "allocation never heard of the imported groups"
            time.sleep(0.2)
    yield live_site


def test_an_office_finds_a_school_its_groups_page_by_page_and_a_teacher(
    signed_in_page: Callable[..., Page], imported: LiveSite
) -> None:
    page = signed_in_page(imported.administrator)
    page.goto(f"{imported.url}/office")
    page.get_by_role("link", name="Schools, groups and teachers", exact=True).click()
    expect(page.locator("h1")).to_have_text("Schools and preschools")
    expect(page.locator("tbody tr")).to_have_count(2)
    page.fill("#q", "backen")
    page.click("button:has-text('Search')")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("#q")).to_have_value("backen")
    page.fill("#q", "no such school")
    page.click("button:has-text('Search')")
    expect(page.get_by_role("status")).to_have_text("Nothing found.")

    page.goto(f"{imported.url}/office/schools")
    page.get_by_role("link", name="Groups at Åsens skola").click()
    expect(page.locator("h1")).to_have_text("Groups at Åsens skola")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text("Klass 01")
    expect(rows.first).to_contain_text("Grade 3")
    expect(page.locator("text=Igelkottarna")).to_have_count(0)
    page.click("a[rel=next]")
    expect(rows).to_have_count(10)
    expect(rows.last).to_contain_text("Klass 60")
    expect(page.locator("a[rel=next]")).to_have_count(0)
    page.click("a[rel=prev]")
    expect(rows).to_have_count(50)

    page.get_by_role("link", name="Teachers", exact=True).click()
    expect(page.locator("h1")).to_have_text("Teachers")
    page.fill("#q", "koski@")
    page.click("button:has-text('Search')")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("Aino Koski")
    expect(page.locator("tbody tr")).to_contain_text("Suomi")
    expect(page.locator("tbody tr")).to_contain_text("Once a week")


@pytest.mark.parametrize("language", ["sv", "fi", "en"])
def test_the_lists_are_accessible_in_each_language(
    signed_in_page: Callable[..., Page],
    imported: LiveSite,
    assert_accessible: Callable[[Page], None],
    language: str,
) -> None:
    page = signed_in_page(imported.administrator, language)
    paths = ("/office", "/office/schools", "/office/groups?page=2", "/office/teachers")
    for path in (*paths, "/office/settings", "/office/audit", "/office/fairness"):
        page.set_viewport_size({"width": 1280, "height": 800})
        answer = page.goto(imported.url + path)
        assert answer is not None and answer.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page)
        page.set_viewport_size({"width": 320, "height": 640})
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width} px wide at 320 px"


def test_an_analyst_sees_none_of_the_lists(
    signed_in_page: Callable[..., Page], imported: LiveSite
) -> None:
    page = signed_in_page(ANALYST)
    office_only = ("/office/schools", "/office/groups", "/office/teachers", "/office/settings")
    for path in (*office_only, "/office/audit"):
        answer = page.goto(imported.url + path)
        assert answer is not None and answer.status in (403, 404), path
        expect(page.locator("table")).to_have_count(0)
        expect(page.locator("body")).not_to_contain_text("Lena Ek")


def test_an_office_keeps_its_settings_and_a_wrong_one_is_said_beside_its_field(
    signed_in_page: Callable[..., Page],
    imported: LiveSite,
    assert_accessible: Callable[[Page], None],
) -> None:
    page = signed_in_page(imported.administrator)
    page.goto(f"{imported.url}/office")
    page.get_by_role("link", name="The municipality's settings").click()
    expect(page.locator("#name")).to_have_value("Bildstad")
    expect(page.locator("#default_language")).to_have_value("sv")
    expect(page.locator("#language-fi")).to_be_checked()
    expect(page.locator("#time_zone")).to_have_value("Europe/Stockholm")
    expect(page.locator("#districts")).to_have_value("Centrum")

    page.fill("#name", "")
    page.fill("#districts", "Centrum\nNorr\nCentrum")
    page.check("#policy-instant")
    page.fill("#area_south", "55.70")
    page.fill("#area_north", "55.50")
    page.fill("#area_west", "12,85")
    page.fill("#area_east", "hundra")
    page.click("button:has-text('Save the settings')")
    expect(page.locator("#area_east-error")).to_contain_text("eastern edge in degrees east")
    expect(page.locator("#name-error")).to_have_text(
        "Write the municipality's name, at most 200 characters."
    )
    expect(page.locator("#districts-error")).to_have_text("Name each district once.")
    expect(page.locator("#districts")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#districts")).to_have_value("Centrum\nNorr\nCentrum")
    expect(page.locator("#policy-instant")).to_be_checked()
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page)

    page.fill("#name", "Bildstads kommun")
    page.fill("#districts", "Centrum\nNorr")
    page.select_option("#default_language", "fi")
    page.fill("#area_east", "13.20")
    page.click("button:has-text('Save the settings')")
    expect(page.locator("#area_north-error")).to_have_text(
        "The northern edge must be north of the southern."
    )
    page.fill("#area_south", "55.50")
    page.fill("#area_north", "55.70")
    page.click("button:has-text('Save the settings')")
    expect(page.get_by_role("status")).to_have_text("The settings are saved.")
    expect(page.locator("#name")).to_have_value("Bildstads kommun")
    expect(page.locator("#default_language")).to_have_value("fi")
    expect(page.locator("#districts")).to_have_value("Centrum\nNorr")
    expect(page.locator("#policy-instant")).to_be_checked()
    expect(page.locator("#area_west")).to_have_value("12.85")
    # The directory keeps them: the public page of the municipality names the new districts.
    with httpx.Client(base_url=imported.url) as http:
        found = http.get(f"/api/directory/public/municipalities/{imported.municipality}").json()
    assert found["name"] == "Bildstads kommun"
    assert found["languages"] == ["fi", "sv"]
    assert found["districts"] == ["Centrum", "Norr"]

    refused = page.request.post(
        f"{imported.url}/office/settings", form={"name": "Without a token"}, max_redirects=0
    )
    assert refused.status == 403


def test_an_office_reads_its_audit_log_newest_first(
    signed_in_page: Callable[..., Page], imported: LiveSite
) -> None:
    page = signed_in_page(imported.administrator)
    page.goto(f"{imported.url}/office")
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("h1")).to_have_text("Audit log")
    # The gateway logs every change: the fixture's import, as the culture office, answered 200.
    imported_row = page.locator("tbody tr").filter(has_text="POST /api/directory/imports/csv")
    expect(imported_row.first).to_contain_text("Culture office")
    expect(imported_row.first).to_contain_text("200")
    expect(page.locator("caption")).to_have_text("Changes, newest first")


@pytest.mark.parametrize("language", ["sv", "fi", "en"])
def test_an_analyst_reads_the_fairness_figures_but_not_the_imports(
    signed_in_page: Callable[..., Page],
    imported: LiveSite,
    assert_accessible: Callable[[Page], None],
    language: str,
) -> None:
    page = signed_in_page(ANALYST, language)
    page.goto(f"{imported.url}/analyst")
    page.locator("a[href='/analyst/fairness']").click()
    expect(page.locator("h1")).to_have_count(1)
    # Every school with pupils, named, in the chart (with its text alternative) and the table.
    expect(page.locator("svg[role=img] title")).to_have_count(1)
    expect(page.locator("svg[role=img] rect")).to_have_count(2)
    table = page.locator("table").nth(1)
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("Åsens skola")
    expect(table).to_contain_text("Centrum")
    expect(table).to_contain_text({"sv": "0,000", "fi": "0,000", "en": "0.000"}[language])
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    answer = page.goto(f"{imported.url}/office/imports")
    assert answer is not None and answer.status in (403, 404)
    expect(page.locator("input[type=file]")).to_have_count(0)
