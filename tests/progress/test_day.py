from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from curriculum.models import Day, Plan
from progress.models import Enrollment, LearnerProfile, TaskCompletion
from tests.concurrency import run_at_once
from tests.factories import make_plan
from tests.progress.helpers import START, logged_in, tasks_of, tick

# Behaviour tests read the English source strings (the UI is Chinese by default).
pytestmark = pytest.mark.usefixtures("english_ui")

HTMX = {"HX-Request": "true"}


def test_it_shows_the_days_sessions_and_tasks_as_labelled_checkboxes(alice_client, enrollment, plan) -> None:
    response = alice_client.get("/days/4/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Morning" in html and "Afternoon" in html and "Topic 4m" in html and "Topic 4a" in html
    for task in tasks_of(plan, 4):
        assert f'id="task-{task.pk}-box"' in html
        assert f'<label for="task-{task.pk}-box">{task.text}</label>' in html
    assert "0 of 4 tasks of this day done" in html


def test_it_links_the_previous_and_next_day(alice_client, enrollment) -> None:
    html = alice_client.get("/days/4/").content.decode()
    assert 'rel="prev" href="/days/3/"' in html and 'rel="next" href="/days/5/"' in html
    first = alice_client.get("/days/1/").content.decode()
    last = alice_client.get("/days/10/").content.decode()
    assert 'rel="prev"' not in first and 'rel="next"' not in last


def test_it_shows_the_days_date(alice_client, enrollment) -> None:
    html = alice_client.get("/days/6/").content.decode()
    assert 'datetime="2026-03-09"' in html  # day 6 is the Monday of week 2


@pytest.mark.parametrize("number", [0, 11, 999])
def test_an_unknown_day_is_404(alice_client, enrollment, number: int) -> None:
    assert alice_client.get(f"/days/{number}/").status_code == 404


def test_it_marks_task_done_and_updates_both_counters(alice_client, enrollment, plan, on_local_date) -> None:
    on_local_date(START)
    task = tasks_of(plan, 2)[0]
    response = alice_client.post(f"/days/2/tasks/{task.pk}/toggle/", {"done": "1"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert TaskCompletion.objects.filter(enrollment=enrollment, task=task).count() == 1
    assert 'id="day-2-counter"' in html and "1 of 4 tasks of this day done" in html
    assert 'id="overall-counter"' in html and "1 of 40 tasks done" in html
    assert html.count('hx-swap-oob="true"') == 2


def test_it_unticks_a_task(alice_client, enrollment, plan) -> None:
    task = tasks_of(plan, 2)[0]
    tick(enrollment, task)
    response = alice_client.post(f"/days/2/tasks/{task.pk}/toggle/", {}, headers=HTMX)
    assert response.status_code == 200
    assert not TaskCompletion.objects.filter(enrollment=enrollment, task=task).exists()
    assert "0 of 4 tasks of this day done" in response.content.decode()


def test_without_javascript_the_form_posts_and_redirects_back(alice_client, enrollment, plan) -> None:
    task = tasks_of(plan, 3)[1]
    response = alice_client.post(f"/days/3/tasks/{task.pk}/toggle/", {"done": "1", "next": "/"})
    assert response.status_code == 302 and response["Location"] == f"/#task-{task.pk}"
    assert TaskCompletion.objects.filter(enrollment=enrollment, task=task).exists()
    response = alice_client.post(f"/days/3/tasks/{task.pk}/toggle/", {})
    assert response.status_code == 302 and response["Location"] == f"/days/3/#task-{task.pk}"
    assert not TaskCompletion.objects.filter(enrollment=enrollment, task=task).exists()
    assert f'id="task-{task.pk}"' in alice_client.get("/days/3/").content.decode()


def test_the_no_javascript_tick_returns_to_its_task_whatever_next_carried(alice_client, enrollment, plan) -> None:
    task = tasks_of(plan, 3)[2]
    response = alice_client.post(f"/days/3/tasks/{task.pk}/toggle/", {"done": "1", "next": "/?x=1#task-999"})
    assert response["Location"] == f"/?x=1#task-{task.pk}"


def test_the_no_javascript_form_has_a_save_button(alice_client, enrollment) -> None:
    html = alice_client.get("/days/3/").content.decode()
    assert '<noscript><button type="submit"' in html


def test_it_never_redirects_off_site(alice_client, enrollment, plan) -> None:
    task = tasks_of(plan, 3)[0]
    response = alice_client.post(f"/days/3/tasks/{task.pk}/toggle/", {"done": "1", "next": "https://evil.example/"})
    assert response["Location"] == f"/days/3/#task-{task.pk}"


def test_ticking_twice_leaves_one_completion(alice_client, enrollment, plan) -> None:
    task = tasks_of(plan, 1)[0]
    for _ in range(2):
        assert alice_client.post(f"/days/1/tasks/{task.pk}/toggle/", {"done": "1"}, headers=HTMX).status_code == 200
    assert TaskCompletion.objects.filter(enrollment=enrollment, task=task).count() == 1


def test_a_tick_is_one_small_statement(alice_client, enrollment, plan, django_assert_num_queries) -> None:
    task = tasks_of(plan, 1)[0]
    alice_client.get("/days/1/")  # the plan's structure is now cached: the task is checked against it
    # The session with the user and the learner's enrollments, then the write; no reads after it. On PostgreSQL
    # the write is a call of the database function progress_set_done (progress.ticks), elsewhere the INSERT.
    with django_assert_num_queries(2) as captured:
        alice_client.post(f"/days/1/tasks/{task.pk}/toggle/", {"done": "1"})
    # A prepared query (progress.compiled, on PostgreSQL) is logged as QUERY = '...' - PARAMS = ...
    write = captured.captured_queries[1]["sql"].removeprefix("QUERY = '").lstrip()
    if connection.vendor == "postgresql":
        assert write.startswith("SELECT changed, version FROM progress_set_done(")
    else:
        assert write.upper().startswith("INSERT") and "ON CONFLICT" in write
    assert TaskCompletion.objects.filter(enrollment=enrollment, task=task).count() == 1


def test_a_task_of_another_plan_is_404(alice_client, enrollment) -> None:
    other = make_plan(slug="other", days=3)
    task = tasks_of(other, 1)[0]
    response = alice_client.post(f"/days/1/tasks/{task.pk}/toggle/", {"done": "1"}, headers=HTMX)
    assert response.status_code == 404
    assert not TaskCompletion.objects.exists()


def test_a_task_posted_under_the_wrong_day_is_404(alice_client, enrollment, plan) -> None:
    task = tasks_of(plan, 2)[0]
    assert alice_client.post(f"/days/3/tasks/{task.pk}/toggle/", {"done": "1"}).status_code == 404
    assert not TaskCompletion.objects.exists()


def test_ticking_needs_post(alice_client, enrollment, plan) -> None:
    task = tasks_of(plan, 2)[0]
    assert alice_client.get(f"/days/2/tasks/{task.pk}/toggle/").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_concurrent_ticks_leave_one_completion(postgres: None, alice, plan: Plan) -> None:
    """Two requests ticking the same task at the same moment, on separate PostgreSQL connections."""
    enrollment = Enrollment.objects.create(user=alice, plan=plan, start_date=START, time_zone="Asia/Shanghai")
    task = tasks_of(plan, 1)[0]
    clients = [logged_in(alice) for _ in range(4)]

    statuses = run_at_once(
        *(
            lambda c=c: c.post(f"/days/1/tasks/{task.pk}/toggle/", {"done": "1"}, headers=HTMX).status_code
            for c in clients
        )
    )

    assert statuses == [200, 200, 200, 200]
    assert TaskCompletion.objects.filter(enrollment=enrollment, task=task).count() == 1


@pytest.fixture
def five_days(alice: User) -> Enrollment:
    """alice in a five-day plan, reading English (the feed's event titles are in her language)."""
    LearnerProfile.objects.create(user=alice, language="en")
    return Enrollment.objects.create(user=alice, plan=make_plan(slug="five", days=5), start_date=START)


def test_it_dates_every_day_when_an_instructor_removed_a_middle_day(
    alice_client: Client, five_days: Enrollment, on_local_date
) -> None:
    on_local_date(START)  # the feed covers the weeks around today
    # Deleting a day nobody has progress on is allowed in the admin; the numbering then has a gap.
    Day.objects.get(plan=five_days.plan, number=3).delete()
    feed = Calendar.from_ical(alice_client.get(f"/calendar/{five_days.calendar_token}.ics").content)
    feed_dates = {str(e["SUMMARY"]).split(" ")[1]: e.decoded("DTSTART").date() for e in feed.walk("VEVENT")}

    response = alice_client.get(reverse("progress:day", args=[5]))

    assert response.status_code == 200
    assert response.context["date"] == feed_dates["5"] == date(2026, 3, 6)
    assert response.context["next_number"] is None  # day 5 is still the last day
    day_2 = alice_client.get(reverse("progress:day", args=[2])).context
    day_4 = alice_client.get(reverse("progress:day", args=[4])).context
    assert (day_2["next_number"], day_4["prev_number"]) == (4, 2)  # the links skip the deleted day 3
