"""Browser tests: Debian's Chromium driven by Playwright against the local stack."""

import shutil
from pathlib import Path

import pytest

from tests.support.live import ROOT, LiveStack

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OWNER_EMAIL = "owner@browser.example"
OWNER_PASSWORD = "browser-owner-password"

# Without these flags Chromium tries to reach Google's services at start, which
# this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not (ROOT / "frontend" / "dist" / "index.html").exists():
        pytest.fail("frontend/dist is missing: run `make test`, which builds it")
    live = LiveStack(tmp_path_factory.mktemp("browser"), OWNER_EMAIL, OWNER_PASSWORD)
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: install Debian's chromium (make browser)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def open_page(browser):
    """Open a fresh browser context (its own storage) per person."""
    contexts = []

    def _open(stack):
        context = browser.new_context(base_url=stack.url, locale="ru-RU")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()
