"""A learner page found in the page cache reads the session with the user and their enrollments, in one query:
nothing of the learner's state. And whatever writes the state, by any path, the next page shows it.

The pages are keyed on the enrollment's `state_version` (progress.triggers keeps it), so the second half
writes the way no view does: bulk updates and deletes, raw SQL, and a cascade from the admin.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from progress.models import DayNote, DayOff, Enrollment, StudyTime, StudyTimer, TaskCompletion
from tests.progress.helpers import START, tasks_of, tick_days, warm

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_ui")]

CACHED = ["/", "/calendar/", "/days/1/", "/plan/", "/progress/", "/notes/export.md"]
STATE_TABLES = (
    "progress_taskcompletion",
    "progress_daynote",
    "progress_schedulechange",
    "progress_dayoff",
    "progress_studytime",
    "progress_studytimer",
)


@pytest.fixture(autouse=True)
def on_day_two(on_local_date: Callable[..., None]) -> None:
    on_local_date(START + timedelta(days=1))


@pytest.mark.parametrize("url", CACHED)
def test_a_warm_page_reads_the_session_and_the_user_only(
    alice_client: Client, enrollment: Enrollment, url: str
) -> None:
    tick_days(enrollment, 1)
    warm(alice_client, url)
    with CaptureQueriesContext(connection) as ctx:
        assert alice_client.get(url).status_code == 200
    sqls = [q["sql"] for q in ctx.captured_queries]
    # One query: the session's row, and the user it names with their enrollments (progress.sessions).
    assert len(sqls) == 1, sqls
    assert 'FROM "django_session"' in sqls[0]
    assert 'INNER JOIN "auth_user"' in sqls[0] and 'LEFT OUTER JOIN "progress_enrollment"' in sqls[0]
    assert not any(table in sql for sql in sqls for table in STATE_TABLES)


def counter(html: str) -> str:
    start = html.index('class="overall-done"')
    return html[start : html.index("</span>", start)]


def untick_all_by_bulk_delete(e: Enrollment) -> None:
    TaskCompletion.objects.filter(enrollment=e).delete()


def untick_one_by_raw_sql(e: Enrollment) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM progress_taskcompletion WHERE id = %s", [TaskCompletion.objects.earliest("pk").pk])


@pytest.mark.parametrize("write", [untick_all_by_bulk_delete, untick_one_by_raw_sql], ids=lambda f: f.__name__)
def test_ticks_written_behind_the_views_back_show_at_once(
    alice_client: Client, enrollment: Enrollment, write: Callable[[Enrollment], None]
) -> None:
    tick_days(enrollment, 1, 2)
    before = counter(warm(alice_client, "/"))
    write(enrollment)
    assert counter(alice_client.get("/").content.decode()) != before


def test_a_tick_moved_by_a_bulk_update_shows_on_both_days(alice_client: Client, enrollment: Enrollment) -> None:
    """The same number of ticks, on other tasks: only the days' own pages tell."""
    tick_days(enrollment, 1)
    pages = {url: warm(alice_client, url) for url in ("/days/1/", "/days/3/")}
    first = tasks_of(enrollment.plan, 1)[0]
    TaskCompletion.objects.filter(enrollment=enrollment, task=first).update(task=tasks_of(enrollment.plan, 3)[0])
    assert all(alice_client.get(url).content.decode() != html for url, html in pages.items())


def test_a_note_saved_by_a_bulk_update_shows_on_its_day(alice_client: Client, enrollment: Enrollment) -> None:
    DayNote.objects.create(enrollment=enrollment, day_id=tasks_of(enrollment.plan, 1)[0].session.day_id, body="old")
    assert "old" in warm(alice_client, "/days/1/")
    DayNote.objects.filter(enrollment=enrollment).update(body="rewritten elsewhere")
    assert "rewritten elsewhere" in alice_client.get("/days/1/").content.decode()


def test_study_time_and_the_timer_show_at_once(alice_client: Client, alice: User, enrollment: Enrollment) -> None:
    day_id = tasks_of(enrollment.plan, 1)[0].session.day_id
    page = warm(alice_client, "/days/1/")
    StudyTime.objects.bulk_create([StudyTime(enrollment=enrollment, day_id=day_id, minutes=95)])
    with_time = alice_client.get("/days/1/").content.decode()
    assert with_time != page
    StudyTimer.objects.create(user=alice, enrollment=enrollment, day_id=day_id, started_at=timezone.now())
    assert alice_client.get("/days/1/").content.decode() != with_time


def test_a_day_off_added_in_bulk_moves_the_calendar(alice_client: Client, enrollment: Enrollment) -> None:
    page = warm(alice_client, "/calendar/")
    DayOff.objects.bulk_create(
        [DayOff(enrollment=enrollment, start_date=START + timedelta(days=2), end_date=START + timedelta(days=4))]
    )
    assert alice_client.get("/calendar/").content.decode() != page


def test_the_notes_export_follows_the_notes(alice_client: Client, enrollment: Enrollment) -> None:
    day_id = tasks_of(enrollment.plan, 1)[0].session.day_id
    DayNote.objects.create(enrollment=enrollment, day_id=day_id, body="first thoughts")
    assert "first thoughts" in warm(alice_client, "/notes/export.md")
    DayNote.objects.filter(enrollment=enrollment).delete()
    assert "first thoughts" not in alice_client.get("/notes/export.md").content.decode()


def test_a_post_is_never_answered_from_the_page_cache(alice_client: Client, enrollment: Enrollment) -> None:
    """A view that writes and then renders holds the enrollment row read before its write."""
    warm(alice_client, "/days/1/")
    response = alice_client.post("/days/1/note/", {"body": "", "version": "7"})
    assert response.status_code in (302, 409, 400)
    assert "Day 1" in alice_client.get("/days/1/").content.decode()
