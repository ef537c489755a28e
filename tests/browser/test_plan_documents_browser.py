"""An instructor imports a plan document in a real Chromium at 1280 px (in the default language), then replaces
it with a revision: the upload, preview and confirm pages work under the site's CSP and have no axe-core violations."""

from __future__ import annotations

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, Permission, User
from playwright.sync_api import Page

from curriculum.models import Plan
from progress.models import Enrollment, TaskCompletion
from tests.browser.conftest import LoggedInPage
from tests.curriculum.document_admin import revised
from tests.curriculum.plan_documents import REFERENCE, export_plan, task_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ines(make_user: object) -> User:
    # Transactional tests flush the tables, the Instructors group made by a migration with them.
    group, _ = Group.objects.get_or_create(name="Instructors")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="curriculum").exclude(codename__startswith="delete")
    )
    user = User.objects.create_user("ines", "ines@example.com", "unused-password-1", is_staff=True)
    user.groups.add(group)
    return user


def no_axe_violations(page: Page, context: dict[str, list[list[str]]] | None = None) -> None:
    results = Axe().run(page, context=context)
    assert results.violations_count == 0, results.generate_report()


def test_upload_preview_and_confirm_at_1280_px(logged_in_page: LoggedInPage, ines: User, tmp_path: object) -> None:
    page = logged_in_page(ines, viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page.goto("/admin/curriculum/plan/")
    page.click("a[href$='/plan/import/']")
    page.fill("#id_slug", "multimodal")
    page.set_input_files("#id_document", str(REFERENCE))
    no_axe_violations(page)
    page.click("input[type=submit]")
    assert "240 项任务" in page.inner_text("#content-main")
    no_axe_violations(page)
    page.click("form[action$='/plan/confirm/'] input[type=submit]")
    page.wait_for_url("**/change/")
    plan = Plan.objects.get(slug="multimodal")
    assert export_plan("multimodal") == REFERENCE.read_text(encoding="utf-8")

    learner = User.objects.create_user("alice", "alice@example.com", "unused-password-1")
    enrollment = Enrollment.objects.create(user=learner, plan=plan, start_date=date(2026, 3, 2))
    TaskCompletion.objects.create(enrollment=enrollment, task=task_at(plan, 1, 2, 2))
    page.click("a[href$='/replace/']")
    page.fill("#id_text", revised(REFERENCE.read_text(encoding="utf-8")))
    page.click("input[type=submit]")
    rows = page.locator("#changes tbody tr")
    assert rows.count() == 3
    assert "移动" in rows.nth(1).inner_text() and rows.nth(1).inner_text().strip().endswith("1")
    no_axe_violations(page)
    page.click("form[action$='/plan/confirm/'] input[type=submit]")
    page.wait_for_url("**/change/")
    assert "文档已导入" in page.inner_text(".messagelist")
    # Only what this feature adds to the plan's page: Django's own inline tables have empty header cells.
    no_axe_violations(page, {"include": [[".messagelist"], [".object-tools"]]})
    assert export_plan("multimodal") == revised(REFERENCE.read_text(encoding="utf-8"))
    assert TaskCompletion.objects.get().task.position == 3

    page.click("a[href$='/versions/']")
    page.click("#versions ~ .submit-row input[type=submit]")  # compares the two newest versions
    assert "+  - 新任务：复习本周笔记" in page.inner_text("pre.diff")
    no_axe_violations(page)
