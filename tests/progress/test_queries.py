"""Each page makes the same number of queries for a 60-day and a 300-day plan, whatever the history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from curriculum.models import Day, Task
from progress import page_cache
from progress.models import DayNote, Enrollment, TaskCompletion
from tests.factories import make_plan
from tests.progress.helpers import START

TODAY = START + timedelta(days=10)  # Thursday of week 2: day 9 of either plan

# Absolute counts, so a regression is caught even if it hits both plan sizes alike, for a plan whose structure
# is cached (progress.structure; the first request after an edit builds it: STRUCTURE_BUILD more), and for a
# page not yet in the page cache (a warm one costs 1: tests/progress/test_warm_pages.py). Every page starts with
# one query for the session, the user and the learner's enrollments (progress.sessions; the navigation bar and
# the view share it); overview() adds one: the learner's ticks, schedule changes and days off in one UNION
# (none when this process kept the state from an earlier page: tests/progress/test_kept_state.py).
PAGES = {
    "/": 2,
    "/calendar/": 2,
    "/calendar/2026/4/": 2,
    "/days/5/": 3,  # + its note
    "/plan/": 2,
    "/progress/": 3,  # + ticks per local date, for the heatmap
    "/notes/export.md": 5,  # notes with days, ticked tasks with days, week notes, resource notes (no overview)
    "/resources/": 4,  # items with sections, the learner's statuses, the citing days
    "/review/1/": 4,  # + the learner's state, day notes, week note (and 3 when the week cites resources)
    "/snippets/": 4,  # day, week and resource notes
    "/search/?q=Task": 8,  # one query per kind: tasks, topics, weeks, resources, day/week/resource notes
}
STRUCTURE_BUILD = 6  # citations, tasks, sessions, days with weeks and phases, resources, resource sections
HTMX_CALENDAR = 2
# 1 per request, then the write with the state version read back: on PostgreSQL one statement (a call of the
# database function progress_set_done), elsewhere the write and the read (progress.ticks).
TICK_HTMX = 2 if connection.vendor == "postgresql" else 3
NOTE_HTMX = 4  # 1 per request, the INSERT of a new note inside its savepoint (3)


def learner_with_history(user: User, days: int, history_days: int) -> Client:
    plan = make_plan(slug=f"plan-{days}", days=days)
    enrollment = Enrollment.objects.create(user=user, plan=plan, start_date=START, time_zone="Asia/Shanghai")
    TaskCompletion.objects.bulk_create(
        TaskCompletion(enrollment=enrollment, task=t)
        for t in Task.objects.filter(session__day__plan=plan, session__day__number__lte=history_days)
    )
    DayNote.objects.bulk_create(
        DayNote(enrollment=enrollment, day=d, body=f"note {d.number}")
        for d in Day.objects.filter(plan=plan, number__lte=history_days)
    )
    client = Client()
    client.force_login(user)
    return client


def count(client: Client, url: str, **headers: str) -> int:
    client.get("/")  # the plan's structure is cached from here on
    page_cache.forget_local()  # no learner state kept in this process: as after another process's write
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.fixture
def small_and_large(make_user: Callable[..., User], on_local_date) -> tuple[Client, Client]:
    on_local_date(TODAY)
    return (
        learner_with_history(make_user("short"), days=60, history_days=3),
        learner_with_history(make_user("long"), days=300, history_days=8),
    )


@pytest.mark.parametrize(("url", "expected"), PAGES.items())
def test_page_query_count_is_flat(small_and_large, url: str, expected: int) -> None:
    small, large = small_and_large
    assert count(small, url) == count(large, url) == expected


def test_the_first_page_after_a_plan_edit_builds_the_structure_once(small_and_large) -> None:
    for client in small_and_large:
        page_cache.forget_local()
        with CaptureQueriesContext(connection) as cold:
            client.get("/plan/")
        assert len(cold) == PAGES["/plan/"] + STRUCTURE_BUILD
        assert count(client, "/plan/") == PAGES["/plan/"]


def test_calendar_grid_query_count_is_flat(small_and_large) -> None:
    small, large = small_and_large
    assert count(small, "/calendar/2026/5/", **{"HX-Request": "true"}) == HTMX_CALENDAR
    assert count(large, "/calendar/2026/5/", **{"HX-Request": "true"}) == HTMX_CALENDAR


def test_tick_and_note_query_counts_are_flat(small_and_large) -> None:
    counts = []
    for client in small_and_large:
        client.get("/")
        enrollment = Enrollment.objects.get(user__username="short" if client is small_and_large[0] else "long")
        task_id = Task.objects.get(
            session__day__plan=enrollment.plan, session__day__number=9, session__position=1, position=1
        ).pk
        with CaptureQueriesContext(connection) as tick_ctx:
            client.post(f"/days/9/tasks/{task_id}/toggle/", {"done": "1"}, headers={"HX-Request": "true"})
        with CaptureQueriesContext(connection) as note_ctx:
            client.post("/days/9/note/", {"body": "x", "version": "0"}, headers={"HX-Request": "true"})
        counts.append((len(tick_ctx.captured_queries), len(note_ctx.captured_queries)))
    assert counts[0] == counts[1] == (TICK_HTMX, NOTE_HTMX)


@pytest.mark.parametrize("offset", [-3, 5, 500])  # before the start, a review day, after the end of both
def test_today_query_count_is_flat_on_other_kinds_of_day(make_user, time_machine, offset: int) -> None:
    when = datetime.combine(START + timedelta(days=offset), time(12), tzinfo=ZoneInfo("Asia/Shanghai"))
    time_machine.move_to(when, tick=False)
    clients = (
        learner_with_history(make_user("short"), days=60, history_days=3),
        learner_with_history(make_user("long"), days=300, history_days=8),
    )
    assert count(clients[0], "/") == count(clients[1], "/")
