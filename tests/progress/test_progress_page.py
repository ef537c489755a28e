from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from curriculum.models import Task
from progress import heatmap
from progress.models import Enrollment, TaskCompletion
from progress.schedule import Schedule, ScheduleInput
from progress.services import overview, streak
from tests.progress.helpers import START, tick_days

# Behaviour tests read the English source strings (the UI is Chinese by default).
pytestmark = pytest.mark.usefixtures("english_ui")

MON_FRI = frozenset(range(5))


def schedule(days: int = 10) -> Schedule:
    return Schedule.build(ScheduleInput(START, MON_FRI, days))


def test_it_shows_percent_overall_per_phase_and_week(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START + timedelta(days=4))
    tick_days(enrollment, 1, 2, 3, 4, 5)
    response = alice_client.get("/progress/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert '<span id="percent-overall">50%</span>' in html
    assert 'aria-label="Phase 1">50%</progress> 20/40' in html
    assert 'aria-label="Week 1">100%</progress> 20/20' in html
    assert 'aria-label="Week 2">0%</progress> 0/20' in html


def test_it_shows_days_behind(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START + timedelta(days=3))  # day 4; days 1-3 were due before today
    tick_days(enrollment, 1)
    html = alice_client.get("/progress/").content.decode()
    assert '<dd id="days-behind">2</dd>' in html


def test_it_shows_the_plan_days_done_in_a_row(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START + timedelta(days=7))  # Monday of week 2 (day 6), after a weekend
    tick_days(enrollment, 3, 4, 5)
    html = alice_client.get("/progress/").content.decode()
    assert '<dd id="days-done-streak">3</dd>' in html
    assert '<dd id="streak">0 study days in a row</dd>' in html  # all ticked today: no study day kept


def test_streak_is_not_broken_by_review_days() -> None:
    totals = dict.fromkeys(range(1, 11), 4)
    done = dict.fromkeys((4, 5, 6), 4)
    # Tuesday of week 2 (day 7 is today, not done yet): days 6, 5, 4 in a row across the weekend.
    assert streak(schedule(), totals, done, START + timedelta(days=8)) == 3


def test_streak_counts_today_once_it_is_done() -> None:
    totals = dict.fromkeys(range(1, 11), 4)
    done = dict.fromkeys((1, 2, 3), 4)
    assert streak(schedule(), totals, done, START + timedelta(days=2)) == 3


def test_streak_is_broken_by_a_missed_study_day() -> None:
    totals = dict.fromkeys(range(1, 11), 4)
    done = {1: 4, 2: 4, 3: 3, 4: 4}
    assert streak(schedule(), totals, done, START + timedelta(days=4)) == 1  # day 5 open, day 4 done, day 3 not


def test_streak_is_zero_before_the_start() -> None:
    assert streak(schedule(), dict.fromkeys(range(1, 11), 4), {}, START - timedelta(days=1)) == 0


def test_a_day_emptied_in_the_admin_is_done_not_missed_and_keeps_the_streak(enrollment: Enrollment) -> None:
    Task.objects.filter(session__day__plan=enrollment.plan, session__day__number=2).delete()
    ticked = Task.objects.filter(session__day__plan=enrollment.plan, session__day__number__in=[1, 3])
    TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=enrollment, task=t) for t in ticked)
    thursday = date(2026, 3, 5)  # day 4 is due and open

    ov = overview(enrollment, thursday)

    assert [ov.day_state(n) for n in (1, 2, 3, 4, 5)] == ["done", "done", "done", "today", "upcoming"]
    assert ov.days_behind == 0  # the emptied day 2 is not missed, and today's own day 4 never counts
    assert ov.streak == 3
    assert overview(enrollment, date(2026, 3, 6)).days_behind == 1  # a day later: only day 4, still not day 2


def test_the_heatmap_is_an_accessible_svg(alice_client, enrollment, plan, on_local_date) -> None:
    on_local_date(START + timedelta(days=2))
    tick_days(enrollment, 1)
    html = alice_client.get("/progress/").content.decode()
    assert '<div class="heatmap-wrap" role="group" aria-labelledby="heatmap-heading heatmap-desc">' in html
    assert '<p id="heatmap-desc" class="heatmap-desc">4 tasks done on 1 days' in html
    assert '<svg class="heatmap" role="img" aria-labelledby="heatmap-band-1"' in html
    squares = re.findall(r'<rect class="hm hm-(\d)[^"]*"[^>]*><title>([\d-]+): (\d+) tasks?', html)
    assert ("4", "2026-03-04", "4") in squares
    assert all(int(count) == 0 for _level, d, count in squares if d != "2026-03-04")
    assert "style=" not in html


def test_the_heatmap_is_at_most_two_years_wide_around_today() -> None:
    dates = schedule(1000).dates  # four years of study days
    result = heatmap.build({}, date(2028, 1, 5), dates)
    assert (result.finish - result.start).days + 1 == heatmap.MAX_WEEKS * 7
    assert result.start <= date(2028, 1, 5) <= result.finish


def test_it_links_the_notes_export(alice_client, enrollment) -> None:
    assert 'href="/notes/export.md"' in alice_client.get("/progress/").content.decode()


def test_heatmap_levels_are_quarters_of_the_busiest_day() -> None:
    assert [heatmap.level(n, 8) for n in (0, 1, 2, 3, 4, 6, 8)] == [0, 1, 1, 2, 2, 3, 4]
