"""The culture office's imports in Chromium over the real platform: three CSV files with one bad
line are checked, the error stands beside the right file with its line and column, the fixed file
replaces only itself, the dry run's report is read and confirmed; the same with the keyboard
alone; axe-core in sv, fi and en; the page and an upload's id are nobody else's."""

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = pytest.mark.browser

LiveSite = Any  # conftest.LiveSite; conftest modules are not importable
PASSWORD = "correct horse battery staple"

UNITS = (
    "id,name,kind,school_forms,district\n"
    "AAS,Åsens skola,school,GR,Centrum\n"
    "BKS,Backens förskola,preschool,FS,Centrum\n"
)
GROUPS = (
    "id,unit_id,name,target_group,size\n"
    "AAS-1A,AAS,1A,grade_1,24\n"
    "AAS-2B,AAS,2B,grade_2,many\n"
    "BKS-IG,BKS,Igelkottarna,preschool_3_5,16\n"
)
FIXED_GROUPS = GROUPS.replace("many", "22")
TEACHERS = (
    "id,name,email,language,invitations,groups\n"
    "L1,Lena Ek,lena.ek@example.org,sv,immediate,AAS-1A AAS-2B\n"
)


def csv_file(name: str, text: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode()}


def signed_in_as_office(page: Page, site: LiveSite) -> None:
    """A browser of its own, signed in afresh."""
    page.goto(f"{site.url}/language?to=en&next=/sign-in")
    page.fill("#email", site.administrator)
    page.fill("#password", PASSWORD)
    page.locator("#password").press("Enter")
    expect(page).to_have_url(f"{site.url}/office")


def upload(page: Page, **files: str) -> None:
    for name, text in files.items():
        page.set_input_files(f"#{name}", files=[csv_file(f"{name}.csv", text)])  # type: ignore[list-item]


def test_an_office_fixes_a_bad_line_reads_the_report_and_imports(
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    assert_accessible: Callable[[Page], None],
) -> None:
    page = signed_in_page(live_site.administrator)
    page.goto(f"{live_site.url}/office")
    page.click("text=Import schools, groups and teachers")
    expect(page.locator("h1")).to_have_text("Import schools, groups and teachers")
    assert_accessible(page)

    upload(page, units=UNITS, groups=GROUPS, teachers=TEACHERS)
    page.click("button:has-text('Check the files')")
    # Beside groups.csv, with its line and column; the field says it is described by it.
    error = page.locator("#groups-error")
    expect(error).to_contain_text("Line 3, column size:")
    expect(page.locator("#groups")).to_have_attribute("aria-invalid", "true")
    assert "groups-error" in (page.locator("#groups").get_attribute("aria-describedby") or "")
    expect(page.locator("#units-error")).to_have_count(0)
    expect(page.locator("#error-summary")).to_contain_text("Groups (groups.csv): Line 3")
    expect(page.locator("#error-summary")).to_be_focused()
    # The two good files are kept: only the bad one is chosen again.
    expect(page.locator("#units-kept")).to_contain_text("units.csv")
    expect(page.locator("text=Import these changes")).to_have_count(0)
    assert_accessible(page)

    upload(page, groups=FIXED_GROUPS)
    page.click("button:has-text('Check the files')")
    expect(page.locator("#error-summary")).to_have_count(0)
    report = page.locator("table.ds-table")
    expect(report).to_contain_text("Schools and preschools")
    expect(report.locator("tr", has_text="Groups").first).to_contain_text("3")
    page.click("summary:has-text('Teachers')")
    expect(
        page.locator("details[open]").get_by_text("Lena Ek <lena.ek@example.org>")
    ).to_be_visible()
    assert_accessible(page)

    page.click("button:has-text('Import these changes')")
    expect(page.locator("h2", has_text="The import is done")).to_be_visible()
    assert_accessible(page)
    # Reloading the page after the import shows the outcome and changes nothing again.
    page.reload()
    expect(page.locator("h2", has_text="The import is done")).to_be_visible()
    expect(page.locator("text=Import these changes")).to_have_count(0)


def test_an_office_uploads_and_checks_the_files_with_the_keyboard_alone(
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    keyboard: Callable[[Page, Locator], None],
) -> None:
    page = signed_in_page(live_site.administrator)
    page.goto(f"{live_site.url}/office/imports")
    for name, text in (("units", UNITS), ("groups", FIXED_GROUPS), ("teachers", TEACHERS)):
        field = page.locator(f"#{name}")
        keyboard(page, field)
        # Space opens the system's file dialog, which is the browser's own and not the page's;
        # headless Chromium sometimes lets that keypress pass without a dialog, so the file is
        # given to the field that the keyboard reached, as the dialog would.
        field.set_input_files([csv_file(f"{name}.csv", text)])  # type: ignore[list-item]
    keyboard(page, page.locator("button:has-text('Check the files')"))
    page.keyboard.press("Enter")
    expect(page.locator("#report-title")).to_be_visible()
    keyboard(page, page.locator("button:has-text('Import these changes')"))
    page.keyboard.press("Enter")
    expect(page.locator("h2", has_text="The import is done")).to_be_visible()


@pytest.mark.parametrize("language", ["sv", "fi"])
def test_the_imports_page_and_its_errors_are_accessible_in_swedish_and_finnish(
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    assert_accessible: Callable[[Page], None],
    language: str,
) -> None:
    page = signed_in_page(live_site.administrator, language)
    page.goto(f"{live_site.url}/office/imports")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)
    check = page.locator("form[action='/office/imports/csv'] button[type=submit]")
    upload(page, units=UNITS, groups=GROUPS)  # teachers.csv forgotten
    check.click()
    # The page's own words, translated: no English left.
    expect(page.locator("#teachers-error")).to_be_visible()
    expect(page.locator("#teachers-error")).not_to_contain_text("Choose the file")
    assert_accessible(page)
    upload(page, teachers=TEACHERS)  # the other two are kept
    check.click()
    expect(page.locator("#groups-error")).to_contain_text(
        {"sv": "Rad 3, kolumn size:", "fi": "Rivi 3, sarake size:"}[language]
    )
    expect(page.locator("#teachers-error")).to_have_count(0)
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_an_upload_is_nobody_elses_and_a_form_without_its_token_is_refused(
    browser: Browser, signed_in_page: Callable[..., Page], live_site: LiveSite
) -> None:
    page = signed_in_page(live_site.administrator)
    page.goto(f"{live_site.url}/office/imports")
    upload(page, units=UNITS, groups=GROUPS, teachers=TEACHERS)
    page.click("button:has-text('Check the files')")
    draft_url = page.url
    assert "/office/imports/" in draft_url
    # The same account in another browser finds nothing under the id.
    other = browser.new_context(locale="en-GB")
    try:
        elsewhere = other.new_page()
        signed_in_as_office(elsewhere, live_site)
        answer = elsewhere.goto(draft_url)
        assert answer is not None and answer.status == 404
        expect(elsewhere.locator("body")).not_to_contain_text("Åsens skola")
    finally:
        other.close()
    # A post without the form's token changes nothing.
    refused = page.request.post(
        f"{live_site.url}/office/imports/csv",
        multipart={"units": csv_file("units.csv", UNITS)},
        max_redirects=0,
    )
    assert refused.status == 403


def test_an_analyst_is_not_shown_the_imports(
    signed_in_page: Callable[..., Page], live_site: LiveSite
) -> None:
    analyst = f"analyst-{uuid.uuid4().hex[:6]}@example.org"
    with httpx.Client(base_url=live_site.url) as http:
        signed_in = http.post(
            "/auth/password", json={"email": live_site.administrator, "password": PASSWORD}
        )
        signed_in.raise_for_status()
        created = http.post(
            "/accounts",
            json={"email": analyst, "role": "analyst", "password": PASSWORD},
            headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"},
        )
        assert created.status_code == 201, created.text
    page = signed_in_page(analyst)
    page.goto(f"{live_site.url}/analyst")
    expect(page.locator("h1")).to_have_count(1)
    answer = page.goto(f"{live_site.url}/office/imports")
    assert answer is not None and answer.status in (403, 404)
    expect(page.locator("input[type=file]")).to_have_count(0)
