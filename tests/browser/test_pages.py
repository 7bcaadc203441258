"""The web's pages in Chromium over the real platform: every public page passes axe-core in sv,
fi and en, reflows to 320 px and breaks no rule of its CSP; a culture office signs in with the
keyboard alone; a page and its assets stay within the weight budget."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, Request, expect

pytestmark = pytest.mark.browser

LiveSite = Any  # conftest.LiveSite; conftest modules are not importable


def public_pages(site: LiveSite) -> list[str]:
    return ["/", f"/m/{site.municipality}/events", f"/events/{site.event_id}", "/sign-in"]


@pytest.mark.parametrize("language", ["sv", "fi", "en"])
def test_the_public_pages_are_accessible_in_each_language(
    page: Page, live_site: LiveSite, assert_accessible: Callable[[Page], None], language: str
) -> None:
    refused: list[str] = []
    page.on("console", lambda message: refused.append(f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: refused.append(f"{page.url}: {error}"))
    page.goto(f"{live_site.url}/language?to={language}&next=/")
    for path in public_pages(live_site):
        page.set_viewport_size({"width": 1280, "height": 800})
        answer = page.goto(live_site.url + path)
        assert answer is not None and answer.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page)
        page.set_viewport_size({"width": 320, "height": 640})
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width} px wide at 320 px"
    # The content security policy refused nothing (Chromium logs each refusal), no script failed.
    assert not refused, refused


def test_a_culture_office_signs_in_with_the_keyboard_alone(
    page: Page,
    live_site: LiveSite,
    assert_accessible: Callable[[Page], None],
    keyboard: Callable[[Page, Locator], None],
) -> None:
    page.goto(f"{live_site.url}/sign-in")
    keyboard(page, page.locator("#email"))  # the staff's form: e-mail address and password
    page.keyboard.type(live_site.administrator)
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_site.url}/office")
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)


def test_a_page_with_its_css_and_javascript_weighs_under_100_kb_through_the_gateway(
    page: Page, live_site: LiveSite
) -> None:
    finished: list[Request] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(f"{live_site.url}/events/{live_site.event_id}")
    page.wait_for_load_state("networkidle")
    weighed = {
        request.url: (request.sizes()["responseBodySize"], request.response())
        for request in finished
        if request.resource_type in ("document", "stylesheet", "script")
    }
    assert len(weighed) == 4, weighed  # the page, its stylesheet, htmx and kulturbro.js
    for url, (_, response) in weighed.items():
        if not url.endswith("/" + live_site.event_id):
            assert response is not None and response.headers["content-encoding"] == "gzip", url
    weight = sum(size for size, _ in weighed.values())
    assert weight < 100_000, {url: size for url, (size, _) in weighed.items()}


def test_filtering_the_events_updates_the_results_in_place_moves_focus_and_says_so(
    page: Page,
    live_site: LiveSite,
    assert_accessible: Callable[[Page], None],
    keyboard: Callable[[Page, Locator], None],
) -> None:
    refused: list[str] = []
    page.on("pageerror", lambda error: refused.append(str(error)))
    page.goto(f"{live_site.url}/language?to=en&next=/m/{live_site.municipality}/events")
    page.evaluate("window.stillThisPage = true")  # gone if the browser loads a new page
    keyboard(page, page.locator("#q"))
    page.keyboard.type("Pippi")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/events\?.*&q=Pippi$"))  # the address follows
    expect(page.locator("#results")).to_be_focused()
    expect(page.locator("#kb-announcer")).to_have_text("1 event")
    assert page.evaluate("window.stillThisPage === true"), "htmx swapped the results in place"
    expect(page.locator("#q")).to_have_value("Pippi")
    # A refused filter shows its error beside the field, and the keyboard lands on the summary.
    page.locator("#to").fill("2001-01-01")
    page.locator("#q").press("Enter")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#to")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#kb-announcer")).not_to_have_text("1 event")
    assert page.evaluate("window.stillThisPage === true")
    assert_accessible(page)
    assert not refused, refused
