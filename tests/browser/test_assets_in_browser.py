"""The vendored design system, font and htmx in Chromium, under the pages' content security
policy: all load from the web service, nothing is refused, the page passes axe and reflows."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI, Response
from fastapi.responses import HTMLResponse
from playwright.sync_api import Locator, Page, expect

from web.app import CONTENT_SECURITY_POLICY
from web.assets import Assets

pytestmark = pytest.mark.browser

Serve = Callable[[Any], AbstractContextManager[str]]

PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{{"includeIndicatorStyles": false}}'>
<title>Boka – Kulturbro</title><link rel="icon" href="{icon}" type="image/svg+xml">
<link rel="stylesheet" href="{css}"><script src="{htmx}" defer></script></head>
<body>
<a class="ds-skip-link" href="#main">Till innehållet</a>
<header class="kb-header"><div class="kb-page"><a href="/">Kulturbro</a>
<nav class="kb-nav" aria-label="Meny"><ul><li><a href="/teacher">Min sida</a></li>
<li><a href="/language?to=fi" lang="fi">Suomi</a></li></ul></nav></div></header>
<main id="main" class="kb-page kb-stack" tabindex="-1">
<h1 class="ds-heading">Boka platser för Klass 4B på Hamlet för skolor, Stadsteatern</h1>
<div class="ds-alert" data-color="danger"><p>Bokningen kunde inte göras: rätta fältet nedan.</p>
</div>
<form method="post" action="/book" class="kb-stack">
<div class="ds-field"><label class="ds-label" for="pupils">Elever</label>
<input class="ds-input" id="pupils" name="pupils" value="34" aria-invalid="true"
 aria-describedby="pupils-error">
<p class="ds-validation-message" id="pupils-error" data-color="danger">
34 elever är fler än de 30 platser som är kvar.</p></div>
<button class="ds-button" data-variant="primary" type="submit">Boka</button>
<button class="ds-button" data-variant="secondary" type="button" hx-get="/seats"
 hx-target="#seats">Visa lediga platser</button>
<p id="seats" aria-live="polite"></p>
</form>
<div class="kb-table-scroll"><table class="ds-table"><caption>Föreställningar</caption>
<thead><tr><th scope="col">Dag</th><th scope="col">Tid</th><th scope="col">Lediga platser</th>
<th scope="col">Lokal</th><th scope="col">Tillgänglighet</th></tr></thead>
<tbody><tr><td>tisdag 3 mars 2026</td><td>09:30</td><td>30</td><td>Stora scenen</td>
<td>Steglöst, lunchrum, toaletter, kapprum</td></tr></tbody></table></div>
</main>
<footer class="kb-footer"><div class="kb-page"><p>Kulturbro</p></div></footer>
</body></html>"""


def a_page_app() -> FastAPI:
    assets = Assets()
    app = FastAPI()
    app.include_router(assets.router)
    page = PAGE.format(
        css=assets.url("kulturbro.css"),
        htmx=assets.url("htmx.min.js"),
        icon=assets.url("favicon.svg"),
    )
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY}

    @app.get("/book")
    async def book() -> Response:
        return HTMLResponse(page, headers=headers)

    @app.get("/seats")
    async def seats() -> Response:
        return HTMLResponse("30 lediga platser", headers=headers)

    return app


def test_the_design_system_font_and_htmx_load_under_the_pages_policy(
    page: Page,
    serve: Serve,
    assert_accessible: Callable[[Page], None],
    keyboard: Callable[[Page, Locator], None],
) -> None:
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    page.on("pageerror", lambda error: refused.append(str(error)))
    answers: dict[str, dict[str, str]] = {}
    page.on("response", lambda answer: answers.update({answer.url: answer.headers}))

    with serve(a_page_app()) as base_url:
        page.goto(f"{base_url}/book")
        families = page.evaluate(
            "async () => { await document.fonts.ready;"
            " return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family) }"
        )
        assert "Inter" in families
        assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("Inter")
        # The design system styled the button: its primary colour, not the browser's grey.
        background = page.get_by_role("button", name="Boka").evaluate(
            "b => getComputedStyle(b).backgroundColor"
        )
        assert background not in ("rgba(0, 0, 0, 0)", "rgb(239, 239, 239)"), background

        assert page.evaluate("htmx.version").startswith("2.")
        page.get_by_role("button", name="Visa lediga platser").click()
        expect(page.locator("#seats")).to_have_text("30 lediga platser")

        assert_accessible(page)

        keyboard(page, page.get_by_role("button", name="Boka"))
        outline = page.get_by_role("button", name="Boka").evaluate(
            "b => getComputedStyle(b).outlineStyle + ' ' + getComputedStyle(b).boxShadow"
        )
        assert outline != "none none", "no visible focus"

        page.set_viewport_size({"width": 320, "height": 640})
        assert page.evaluate("document.documentElement.scrollWidth") <= 320

    assert not refused, refused  # a CSP refusal is logged to the console
    css = next(headers for url, headers in answers.items() if url.endswith(".css"))
    assert css["content-encoding"] == "gzip"
    assert css["cache-control"] == "public, max-age=31536000, immutable"
    assert {urlsplit(url).hostname for url in answers} == {"127.0.0.1"}
    assert any(url.endswith(".woff2") for url in answers)
