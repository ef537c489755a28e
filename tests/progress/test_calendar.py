from __future__ import annotations

import re
from datetime import timedelta

import pytest

from progress.models import Enrollment
from tests.progress.helpers import START, tasks_of, tick, tick_days

# Behaviour tests read the English source strings (the UI is Chinese by default).
pytestmark = pytest.mark.usefixtures("english_ui")


def cell(html: str, iso: str) -> str:
    """The <td> of one date in the grid."""
    match = re.search(
        r'<td class="([^"]*)"[^>]*>\s*<span class="date"><time datetime="' + iso + r'">(.*?)</td>', html, re.S
    )
    assert match, f"no cell for {iso}"
    return match.group(0)


def test_it_shows_the_current_month_with_weeks_starting_monday(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START + timedelta(days=2))
    response = alice_client.get("/calendar/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert 'id="month-grid"' in html
    # March 2026 begins on a Sunday, so the first row starts on Monday 23 February.
    first_dates = re.findall(r'<time datetime="([\d-]+)">', html)
    assert first_dates[0] == "2026-02-23"
    assert first_dates[-1] == "2026-04-05"
    assert len(first_dates) % 7 == 0


def test_each_plan_date_links_to_its_day_with_topics(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START)
    html = alice_client.get("/calendar/2026/3/").content.decode()
    day_one = cell(html, "2026-03-02")
    assert 'href="/days/1/"' in day_one
    assert "Topic 1m" in day_one and "Topic 1a" in day_one
    assert 'href="/days/10/"' in cell(html, "2026-03-13")


def test_it_marks_review_days_and_today(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START + timedelta(days=1))
    html = alice_client.get("/calendar/2026/3/").content.decode()
    saturday = cell(html, "2026-03-07")
    assert "kind-review" in saturday and "Review" in saturday
    assert "/days/" not in saturday
    today = cell(html, "2026-03-03")
    assert "is-today" in today and 'aria-current="date"' in today
    assert html.count('aria-current="date"') == 1


def test_it_shows_each_days_state_in_text_and_class(alice_client, enrollment, plan, on_local_date) -> None:
    on_local_date(START + timedelta(days=3))  # Thursday: day 4 is today
    tick_days(enrollment, 1)
    tick(enrollment, tasks_of(plan, 2)[0])
    html = alice_client.get("/calendar/2026/3/").content.decode()
    expected = {
        "2026-03-02": ("state-done", "Done"),
        "2026-03-03": ("state-partial", "Partly done"),
        "2026-03-04": ("state-missed", "Missed"),
        "2026-03-05": ("state-today", "Due today"),
        "2026-03-06": ("state-upcoming", "Upcoming"),
    }
    for iso, (css, text) in expected.items():
        td = cell(html, iso)
        assert css in td and f'<span class="state">{text}</span>' in td, iso


def test_prev_and_next_links_swap_only_the_grid(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START)
    html = alice_client.get("/calendar/2026/3/").content.decode()
    for url in ("/calendar/2026/2/", "/calendar/2026/4/"):
        assert f'href="{url}" hx-get="{url}" hx-target="#month-grid" hx-swap="outerHTML" hx-push-url="true"' in html


def test_an_htmx_request_gets_the_grid_alone(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START)
    response = alice_client.get("/calendar/2026/4/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="month-grid"')
    assert "<h1" not in html and "<html" not in html
    assert "2026年4月" in html or "April 2026" in html
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START)
    response = alice_client.get(
        "/calendar/2026/4/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert b"<html" in response.content and response.content.count(b"<h1") == 1


def test_month_december_links_to_january_of_next_year(alice_client, enrollment) -> None:
    html = alice_client.get("/calendar/2026/12/").content.decode()
    assert 'href="/calendar/2027/1/"' in html and 'href="/calendar/2026/11/"' in html


@pytest.mark.parametrize("url", ["/calendar/2026/13/", "/calendar/2026/0/", "/calendar/99999/1/", "/calendar/0/5/"])
def test_a_month_that_does_not_exist_is_404(alice_client, enrollment, url: str) -> None:
    assert alice_client.get(url).status_code == 404


def test_months_outside_the_plan_show_no_days(alice_client, enrollment: Enrollment) -> None:
    html = alice_client.get("/calendar/2025/1/").content.decode()
    assert "/days/" not in html.split('id="month-grid"')[1]


def test_it_says_when_the_learner_is_behind_and_links_to_reschedule(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START + timedelta(days=3))  # day 4; days 1-3 open
    tick_days(enrollment, 1)
    html = alice_client.get("/calendar/").content.decode()
    notice = html[html.index('id="behind-notice"') :]
    notice = notice[: notice.index("</p>")]
    assert "2 days behind" in notice and 'href="/reschedule/"' in notice


def test_it_says_nothing_about_being_behind_on_track(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START + timedelta(days=1))  # day 2, day 1 done, day 2 still open: not behind
    tick_days(enrollment, 1)
    assert 'id="behind-notice"' not in alice_client.get("/calendar/").content.decode()
