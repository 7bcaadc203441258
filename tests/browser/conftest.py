"""Browser tests: Debian's Chromium driven by Playwright, pages checked with axe-core.

Nothing is downloaded at run time: Playwright launches the system's `chromium` (apt-get install
chromium; .ci/run does it in CI), and axe-core comes inside the axe-playwright-python wheel.
Fixtures here are sync (Playwright's sync API), so browser tests are plain `def` tests.
"""

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, Playwright, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MISSING_CHROMIUM = (
    "Chromium is missing: the browser tests need Debian's chromium (apt-get install -y chromium)"
)


def chromium_executable() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        # In CI a missing browser is a failure, never a quiet skip.
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING_CHROMIUM, pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    return found


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    # Module scope: the sync API must not outlive into the asyncio loops of other test files.
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


def axe_violations(page: Page, tags: list[str] | None = None) -> list[str]:
    """Each violation of WCAG 2.1 A and AA on the page, as readable lines: rule, impact, what
    is wrong, and every element it was found on with what to fix."""
    options = {"runOnly": {"type": "tag", "values": tags or WCAG_21_AA}}
    results = Axe().run(page, options=options)
    lines = []
    for violation in results.response["violations"]:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(f"    at {target}: {summary}")
    return lines


@pytest.fixture
def assert_accessible() -> Callable[[Page], None]:
    """`assert_accessible(page)` fails the test listing every axe-core violation."""

    def check(page: Page) -> None:
        violations = axe_violations(page)
        if violations:
            pytest.fail(
                f"{page.url} breaks WCAG 2.1 AA (axe-core):\n" + "\n".join(violations),
                pytrace=False,
            )

    return check


def tab_to(page: Page, target: Locator, most: int = 60) -> None:
    """Presses Tab until `target` has focus, as a keyboard user would; fails naming the focus
    order it went through when the target cannot be reached."""
    seen: list[str] = []
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
        seen.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e ? `${e.tagName.toLowerCase()} ${(e.innerText || e.value || e.name"
                " || e.id || '').trim().slice(0, 40)}` : 'nothing' }"
            )
        )
    pytest.fail(f"Tab never reached {target}; focus went: " + " → ".join(seen), pytrace=False)


@pytest.fixture
def keyboard() -> Callable[[Page, Locator], None]:
    """`keyboard(page, locator)`: Tab to it (fails if the keyboard cannot reach it)."""
    return tab_to


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """An ASGI app on a free local port in a thread, without its lifespan (no databases); yields
    its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start serving")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def serve() -> Callable[[Any], Any]:
    """`with serve(app) as base_url:` runs an ASGI app for the test."""
    return serving
