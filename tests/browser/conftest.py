"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) on a real `ozg-kg serve`.

Playwright's own browser builds are never downloaded: `bash server/dev.sh test` installs Debian's
chromium, and the web UI's libraries with `npm ci`. Screenshots go to tests/artifacts/ for people to
look at; a page that throws a JavaScript error fails its test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from endpoint.conftest import Server, start_server, stop_server
from playwright.sync_api import Browser, Page, Playwright

from ozgkg.web.ui import NODE_MODULES, VENDOR_FILES

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parents[1] / "artifacts"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, store_options: list[str]) -> Iterator[Server]:
    """The server with the project's graph alone, as people see it, on the store $OZGKG_TEST_STORE picks."""
    running = start_server([*store_options, "--workers", "2"], tmp_path_factory.mktemp("site") / "serve.log")
    yield running
    stop_server(running)


def missing() -> list[str]:
    """What these tests need and the machine lacks."""
    needed = [CHROMIUM, *(NODE_MODULES / path for path in VENDOR_FILES.values())]
    return [str(path) for path in needed if not path.is_file()]


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if missing():
        pytest.skip(f"`bash server/dev.sh test` installs what is missing: {', '.join(missing())}")
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser, site: Server) -> Iterator[Page]:
    """A fresh browser tab (no stored YASGUI tabs) with the site as its base URL."""
    context = browser.new_context(
        base_url=site.base, viewport={"width": 1400, "height": 1000}, locale="en-GB"
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    # What the Content-Security-Policy blocks is no page error: Chromium says it on the console.
    tab.on(
        "console", lambda message: "Content Security Policy" in message.text and errors.append(message.text)
    )
    yield tab
    context.close()
    assert not errors, f"JavaScript errors or blocked by the Content-Security-Policy: {errors}"


def screenshot_path(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def screenshot(page: Page, name: str) -> Path:
    path = screenshot_path(name)
    page.screenshot(path=str(path), full_page=True)
    return path
