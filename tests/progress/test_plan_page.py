from __future__ import annotations

import re

import pytest

from tests.progress.helpers import tick_days

# Behaviour tests read the English source strings (the UI is Chinese by default).
pytestmark = pytest.mark.usefixtures("english_ui")


def test_it_shows_phases_weeks_and_days_with_topics(alice_client, enrollment) -> None:
    response = alice_client.get("/plan/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1 and "<h1>Plan test-plan</h1>" in html
    assert "Phase 1" in html and "Week 1" in html and "Week 2" in html
    for number in range(1, 11):
        assert f'href="/days/{number}/"' in html
        assert f"Topic {number}m" in html and f"Topic {number}a" in html


def test_each_week_has_a_progress_bar_of_its_tasks(alice_client, enrollment) -> None:
    tick_days(enrollment, 1, 2, 3)
    html = alice_client.get("/plan/").content.decode()
    bars = re.findall(r'<progress value="(\d+)" max="(\d+)" aria-labelledby="week-(\d+)">', html)
    assert bars == [("12", "20", "1"), ("0", "20", "2")]
    assert "12 of 20 tasks (60%)" in html


def test_it_lists_the_resources_under_their_headings(alice_client, enrollment) -> None:
    html = alice_client.get("/plan/").content.decode()
    resources = html.split('class="card resources"')[1]
    assert "<h2" in resources and ">Papers</h3>" in resources and "<li>A paper</li>" in resources


def test_the_page_has_no_inline_style_or_script(alice_client, enrollment) -> None:
    html = alice_client.get("/plan/").content.decode()
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)
