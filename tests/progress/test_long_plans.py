"""A very long plan costs a learner page no more queries than a short one, the plan page shows one phase at a
time above PLAN_PAGE_MAX_DAYS days, and the reference-sized plan keeps its one whole page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings

from progress.models import Enrollment
from tests.factories import make_plan
from tests.progress.helpers import START, logged_in, tick_days
from tests.progress.test_queries import PAGES, count, learner_with_history

pytestmark = pytest.mark.usefixtures("english_ui")

TODAY = START + timedelta(days=10)
# The other learner pages a huge plan must not make slower, next to those test_queries.py counts exactly.
MORE_PAGES = ["/settings/", "/reschedule/", "/days-off/", "/enroll/", "/days/2999/", "/plan/?phase=100"]


@pytest.fixture
def short_and_huge(make_user: Callable[..., User], on_local_date: Callable[..., None]) -> tuple[Client, Client]:
    on_local_date(TODAY)
    return (
        learner_with_history(make_user("short"), days=3000 // 50, history_days=3),
        learner_with_history(make_user("huge"), days=3000, history_days=8),
    )


def test_a_3000_day_plan_keeps_every_learner_page_in_the_query_budget_and_pages_the_plan(short_and_huge) -> None:
    short, huge = short_and_huge
    for url, budget in PAGES.items():
        assert count(huge, url) <= budget, url
    for url in MORE_PAGES:
        budget = count(short, url.replace("2999", "59").replace("100", "1"))
        assert count(huge, url) <= budget, url
    # The plan page shows one phase: days 1-8 are done, so the first unfinished day, 9, is in phase 1.
    html = huge.get("/plan/").content.decode()
    assert 'href="/days/9/"' in html and 'href="/days/21/"' not in html
    assert '<a href="?phase=1" aria-current="page">' in html and 'href="?phase=150"' in html
    html = huge.get("/plan/?phase=150").content.decode()
    assert 'href="/days/3000/"' in html and 'href="/days/9/"' not in html
    assert len(html) < 100_000


def test_a_plan_within_the_limit_has_no_phase_navigation(alice_client: Client, enrollment: Enrollment) -> None:
    html = alice_client.get("/plan/").content.decode()
    assert "phase-nav" not in html and 'href="/days/10/"' in html
    assert alice_client.get("/plan/?phase=2").status_code == 200  # ignored: one page holds everything


@pytest.mark.parametrize("phase", ["0", "4", "abc", "１", "9" * 30, ""])
def test_a_phase_the_plan_lacks_is_404(alice: User, settings: Settings, on_local_date, phase: str) -> None:
    settings.PLAN_PAGE_MAX_DAYS = 20
    on_local_date(TODAY)
    Enrollment.objects.create(user=alice, plan=make_plan(days=45), start_date=START)  # 3 phases of 20 days
    assert logged_in(alice).get(f"/plan/?phase={phase}").status_code == 404


def test_the_default_phase_is_the_one_of_the_first_unfinished_day(
    alice: User, settings: Settings, on_local_date
) -> None:
    settings.PLAN_PAGE_MAX_DAYS = 20
    on_local_date(TODAY)
    enrollment = Enrollment.objects.create(user=alice, plan=make_plan(days=45), start_date=START)
    tick_days(enrollment, *range(1, 23))
    html = logged_in(alice).get("/plan/").content.decode()
    assert '<a href="?phase=2" aria-current="page">' in html
    assert 'href="/days/23/"' in html and 'href="/days/20/"' not in html and 'href="/days/41/"' not in html
