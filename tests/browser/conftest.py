"""Shared Playwright plumbing for the browser tests: one Chromium per module and logged-in pages.

Chromium is launched once per test module rather than per session: sync Playwright keeps an asyncio loop
marked as running in the test thread while it is open, so it must be closed before the rest of the suite
(which may start its own event loops) runs.

While that loop runs, Django's async-safety check would refuse the ORM calls the tests make between browser
steps, although they are still sequential; DJANGO_ALLOW_ASYNC_UNSAFE is set for exactly that time and no longer,
so the rest of the suite keeps the check.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright
from pytest_django.live_server_helper import LiveServer

# Debian's Chromium, as Playwright's own download is not available here.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

LoggedInPage = Callable[..., Page]

# The two screens the learner pages are tried on.
VIEWPORTS = {"desktop": ViewportSize(width=1280, height=800), "phone": ViewportSize(width=375, height=740)}

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.effectiveDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


class Watched:
    """A page whose console errors (htmx reports an out-of-band swap without a target there) and CSP
    violations are recorded; `assert_clean` also runs axe-core and checks nothing is wider than the screen."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.context.add_init_script(RECORD_VIOLATIONS)
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def open(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, url
        self.page.wait_for_load_state("networkidle")

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.page.evaluate("window.__csp") == []
        results = Axe().run(self.page)
        assert results.violations_count == 0, results.generate_report()
        # Nothing wider than the screen.
        assert self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture(autouse=True)
def requests_end_before_the_database_is_emptied(live_server: LiveServer) -> Iterator[None]:
    """After each test (its pages closed by then: this fixture is set up before theirs), wait until the live
    server has no request left running. A page's last request (a note saved as the page goes away) would
    otherwise still write while the database is emptied for the next test, and PostgreSQL then breaks the
    deadlock between them by failing the emptying."""
    yield
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        thread.is_alive() and "process_request_thread" in thread.name for thread in threading.enumerate()
    ):
        time.sleep(0.01)


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def logged_in_page(browser: Browser, live_server: LiveServer) -> Iterator[LoggedInPage]:
    """Make a page whose browser context is logged in as `user`, without going through the login form.

    The test client's session cookie is copied into a fresh context (base_url is the live server, so
    relative URLs work); extra keyword arguments go to `browser.new_context`. Contexts are closed afterwards.
    """
    contexts: list[BrowserContext] = []

    def make(user: User, viewport: ViewportSize | None = None, locale: str | None = None, **options: Any) -> Page:
        client = Client()
        client.force_login(user)
        if viewport is not None:
            options["viewport"] = viewport
        if locale is not None:
            options["locale"] = locale
        context = browser.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_up(page: Page, live_server: LiveServer, username: str, password: str) -> None:
    """Through the forms, as a visitor would: sign up, open the confirmation link from the email, log in."""
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", f"{username}@example.com")
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/signup/done/")

    [message] = [m for m in mail.outbox if m.to == [f"{username}@example.com"]]
    link = re.search(r"(/accounts/confirm/\S+/)", str(message.body))
    assert link, message.body
    page.goto(f"{live_server.url}{link.group(1)}")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
