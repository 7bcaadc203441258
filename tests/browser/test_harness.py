"""The browser harness itself: Chromium renders the gateway's API docs offline, axe-core finds a
violation where there is one, and the keyboard helper tells what Tab cannot reach."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from playwright.sync_api import Locator, Page, expect

from gateway.app import service as gateway
from gateway.settings import GatewaySettings

pytestmark = pytest.mark.browser

Serve = Callable[[Any], AbstractContextManager[str]]

A_FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A form</title></head>
<body><main><h1>Book seats</h1>
<form><label for="pupils">Pupils</label><input id="pupils" name="pupils">
{extra}<button>Book</button></form>
<a href="#" tabindex="-1">Not for keyboards</a></main></body></html>"""


def pages(**html: str) -> FastAPI:
    app = FastAPI()
    for name, body in html.items():
        app.get(f"/{name}", response_class=HTMLResponse)(lambda body=body: body)
    return app


def the_gateway() -> Any:
    settings = GatewaySettings(
        kulturbro_env="test",
        database_url="postgresql://nobody@127.0.0.1:1/none",
        kafka_bootstrap_servers="127.0.0.1:1",
    )
    return gateway.create_app(settings)


def test_the_gateways_api_docs_render_with_nothing_from_the_internet(
    page: Page, serve: Serve
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    with serve(the_gateway()) as base_url:
        answer = page.goto(f"{base_url}/docs")
        assert answer is not None
        assert "default-src 'self'" in answer.headers["content-security-policy"]
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Kulturbro gateway")
        expect(page.get_by_text("/auth/password").first).to_be_visible()
    assert not refused, refused  # its content security policy allows all it needs
    # The page, its script and stylesheet and the API document at least; data: URLs are inline.
    assert len(requested) >= 4, requested
    elsewhere = [
        url
        for url in requested
        if urlsplit(url).scheme != "data" and urlsplit(url).hostname != "127.0.0.1"
    ]
    assert not elsewhere, elsewhere


def test_axe_names_each_violation_and_where(
    page: Page, serve: Serve, assert_accessible: Callable[[Page], None]
) -> None:
    unlabelled = '<input id="note" name="note">'
    with serve(pages(clean=A_FORM.format(extra=""), broken=A_FORM.format(extra=unlabelled))) as url:
        page.goto(f"{url}/clean")
        assert_accessible(page)

        page.goto(f"{url}/broken")
        with pytest.raises(pytest.fail.Exception) as failed:
            assert_accessible(page)
    report = str(failed.value)
    assert "/broken breaks WCAG 2.1 AA" in report
    assert "label (critical): Form elements must have labels" in report
    assert "at #note:" in report
    assert "#pupils" not in report


def test_the_keyboard_helper_reaches_what_tab_reaches_and_names_the_rest(
    page: Page, serve: Serve, keyboard: Callable[[Page, Locator], None]
) -> None:
    with serve(pages(form=A_FORM.format(extra=""))) as url:
        page.goto(f"{url}/form")
        keyboard(page, page.get_by_role("button", name="Book"))
        page.keyboard.press("Shift+Tab")
        expect(page.get_by_label("Pupils")).to_be_focused()

        page.goto(f"{url}/form")
        with pytest.raises(pytest.fail.Exception) as failed:
            keyboard(page, page.get_by_role("link", name="Not for keyboards"))
    assert "focus went: input pupils → button Book" in str(failed.value)
