"""The error pages in Chromium: no axe-core violations, no console errors (so nothing the CSP blocked), fitting a
phone, in both languages, and the way back to Today works."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.error_urls")]

PAGES = {"/test-errors/400/": 400, "/test-errors/403/": 403, "/no-such-page/": 404, "/test-errors/500/": 500}


@pytest.mark.parametrize(("locale", "width"), [("en-US", 1280), ("zh-CN", 375)])
def test_error_pages_are_accessible_and_lead_back_to_today(
    browser: Browser, live_server: LiveServer, locale: str, width: int
) -> None:
    context = browser.new_context(base_url=live_server.url, locale=locale, viewport={"width": width, "height": 740})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    axe = Axe()
    found = {}
    try:
        for path, status in PAGES.items():
            response = page.goto(path)
            assert response is not None and response.status == status, path
            # Chromium logs the error status itself as a console error; anything else (a CSP report) is a problem.
            problems[:] = [p for p in problems if "the server responded with a status of" not in p]
            results = axe.run(page)
            if results.violations_count:
                found[path] = results.generate_report()
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
            assert page.evaluate("getComputedStyle(document.querySelector('.card')).borderTopStyle") == "solid"
        assert not found, found
        assert problems == []
        page.locator("main a.button-primary").click()
        expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    finally:
        context.close()
