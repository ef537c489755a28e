"""The admin and the site's base page work under the Content-Security-Policy in a real Chromium.

Any script, style or eval the policy blocks shows up as a `securitypolicyviolation` event and a console
error; the pages must produce none. A control test injects an inline script to prove violations are seen.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import path
from django.views.generic import TemplateView
from playwright.sync_api import BrowserContext, Page

from config.urls import urlpatterns as site_urlpatterns
from tests.browser.conftest import LoggedInPage
from tests.factories import make_plan

urlpatterns = [path("base-page/", TemplateView.as_view(template_name="base.html")), *site_urlpatterns]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]

# Runs before any page script and is not subject to the page's CSP (Playwright injects it).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.effectiveDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("root", "root@example.com", "unused-password-1")


@pytest.fixture
def browser_context(logged_in_page: LoggedInPage, superuser: User) -> BrowserContext:
    # The logged-in factory closes the context at teardown; its first page is closed so tests open their own.
    page = logged_in_page(superuser)
    context = page.context
    page.close()
    context.add_init_script(RECORD_VIOLATIONS)
    return context


class Visit:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console_errors: list[str] = []
        page.on("console", lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        self.failed: list[str] = []
        page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def open(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None
        assert response.status == 200, url
        assert "script-src" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("networkidle")

    def violations(self) -> list[str]:
        found: list[str] = self.page.evaluate("window.__csp")
        return found + [e for e in self.console_errors if "Content Security Policy" in e]


def test_admin_changelist_and_change_page_raise_no_csp_violations(
    browser_context: BrowserContext, superuser: User
) -> None:
    visit = Visit(browser_context.new_page())
    for url in ("/admin/", "/admin/auth/user/", f"/admin/auth/user/{superuser.pk}/change/", "/admin/auth/user/add/"):
        visit.open(url)
        assert visit.violations() == [], url
    assert visit.console_errors == [], visit.failed
    # The admin's own scripts ran: the changelist's action checkboxes are wired up by actions.js.
    visit.open("/admin/auth/user/")
    visit.page.check("#action-toggle")
    assert visit.page.is_checked("input.action-select")


def test_the_day_page_leads_to_the_session_page_whose_task_inline_works(browser_context: BrowserContext) -> None:
    plan = make_plan(days=2)
    morning = plan.days.get(number=1).sessions.get(position=1)
    visit = Visit(browser_context.new_page())
    visit.open(f"/admin/curriculum/plan/{plan.pk}/change/")
    visit.open(f"/admin/curriculum/day/{morning.day_id}/change/")
    session_url = f"/admin/curriculum/session/{morning.pk}/change/"
    visit.page.click(f'#sessions-group a[href="{session_url}"]')
    visit.page.wait_for_url(f"**{session_url}")  # waits for the load event, so inlines.js has run
    # inlines.js runs under the policy: "add another" appends a third, blank task row.
    visit.page.click("#tasks-group .add-row a")
    assert visit.page.locator("#tasks-2 textarea").count() == 1
    assert visit.violations() == []
    assert visit.console_errors == [], visit.failed


def test_base_page_loads_htmx_under_the_policy(browser_context: BrowserContext) -> None:
    visit = Visit(browser_context.new_page())
    visit.open("/base-page/")
    assert visit.violations() == []
    assert visit.console_errors == []
    config = visit.page.evaluate("({eval: htmx.config.allowEval, styles: htmx.config.includeIndicatorStyles})")
    assert config == {"eval": False, "styles": False}


def test_a_blocked_inline_script_is_detected(browser_context: BrowserContext) -> None:
    visit = Visit(browser_context.new_page())
    visit.open("/admin/")
    visit.page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.appendChild(s); }"
    )
    visit.page.wait_for_timeout(200)
    assert visit.page.evaluate("window.ran") is None
    assert any(v.startswith("script-src") for v in visit.violations())
