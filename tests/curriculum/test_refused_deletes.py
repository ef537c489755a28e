"""Rows learners have progress on (PROTECT) are never deleted from the admin, and never give a 500.

Instructors have no delete permission at all (see test_instructors_group); these tests use a superuser,
who may delete, to show the refusal itself: on the delete page, in the delete action and for inline rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.client import Client
from django.test.utils import CaptureQueriesContext

from curriculum.models import Day, Phase, Plan, Session, Task, Week
from progress.models import DayNote, Enrollment, LearnerProfile, TaskCompletion
from tests.curriculum.formdata import page_data, set_row

pytestmark = pytest.mark.django_db

DAY_URL = "/admin/curriculum/day/{}/change/"
SESSION_URL = "/admin/curriculum/session/{}/change/"
REFUSED = "learners have progress on it"


@pytest.fixture
def root(client: Client, make_user: Callable[..., User]) -> Client:
    user = make_user("root", is_staff=True, is_superuser=True)
    # The assertions read the admin's English wording; Chinese is the site's default language.
    LearnerProfile.objects.create(user=user, language="en")
    client.force_login(user)
    return client


@pytest.fixture
def enrollment(plan: Plan, alice: User) -> Enrollment:
    return Enrollment.objects.create(user=alice, plan=plan, start_date=date(2026, 3, 2))


def day(plan: Plan, number: int) -> Day:
    return Day.objects.get(plan=plan, number=number)


def ticked_task(enrollment: Enrollment, number: int = 1) -> Task:
    task = Task.objects.filter(session__day__plan=enrollment.plan, session__day__number=number).first()
    assert task is not None
    TaskCompletion.objects.create(enrollment=enrollment, task=task)
    return task


# --- delete pages ---------------------------------------------------------------------------------------------


def test_task_delete_page_refuses_a_ticked_task(root: Client, enrollment: Enrollment) -> None:
    task = ticked_task(enrollment)
    url = f"/admin/curriculum/task/{task.pk}/delete/"
    page = root.get(url)
    assert page.status_code == 200
    assert REFUSED in page.content.decode()
    assert "1 task completion" in page.content.decode()
    response = root.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Task.objects.filter(pk=task.pk).exists()
    assert TaskCompletion.objects.filter(task=task).count() == 1


def test_day_delete_page_refuses_a_day_with_a_note(root: Client, enrollment: Enrollment) -> None:
    noted = day(enrollment.plan, 2)
    DayNote.objects.create(enrollment=enrollment, day=noted, body="hard day")
    response = root.post(f"/admin/curriculum/day/{noted.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert "1 day note" in response.content.decode()
    assert Day.objects.filter(pk=noted.pk).exists()
    assert noted.sessions.count() == 2


def test_day_delete_page_refuses_a_day_with_a_ticked_task(root: Client, enrollment: Enrollment) -> None:
    ticked_task(enrollment, number=3)
    target = day(enrollment.plan, 3)
    response = root.post(f"/admin/curriculum/day/{target.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert Task.objects.filter(session__day=target).count() == 4


def test_session_delete_page_refuses_a_session_with_a_ticked_task(root: Client, enrollment: Enrollment) -> None:
    task = ticked_task(enrollment)
    response = root.post(f"/admin/curriculum/session/{task.session_id}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert Task.objects.filter(session_id=task.session_id).count() == 2


def test_plan_delete_page_refuses_a_plan_with_learners(root: Client, enrollment: Enrollment) -> None:
    response = root.post(f"/admin/curriculum/plan/{enrollment.plan.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert Plan.objects.filter(pk=enrollment.plan.pk).exists()


def test_a_day_nobody_depends_on_is_deleted(root: Client, enrollment: Enrollment) -> None:
    ticked_task(enrollment, number=1)
    free = day(enrollment.plan, 5)
    response = root.post(f"/admin/curriculum/day/{free.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Day.objects.filter(pk=free.pk).exists()
    assert not Session.objects.filter(day_id=free.pk).exists()


# --- delete action ---------------------------------------------------------------------------------------------


def test_delete_action_refuses_ticked_tasks(root: Client, enrollment: Enrollment) -> None:
    task = ticked_task(enrollment)
    other = Task.objects.exclude(pk=task.pk).filter(session__day__plan=enrollment.plan).first()
    assert other is not None
    response = root.post(
        "/admin/curriculum/task/",
        {"action": "delete_selected", "_selected_action": [task.pk, other.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    # All or nothing: the free task in the same selection stays too.
    assert Task.objects.filter(pk__in=[task.pk, other.pk]).count() == 2


def test_delete_action_refuses_days_with_progress(root: Client, enrollment: Enrollment) -> None:
    ticked_task(enrollment, number=4)
    days = list(Day.objects.filter(plan=enrollment.plan, number__in=[4, 5]).values_list("pk", flat=True))
    response = root.post(
        "/admin/curriculum/day/", {"action": "delete_selected", "_selected_action": days, "post": "yes"}
    )
    assert response.status_code == 200
    assert Day.objects.filter(pk__in=days).count() == 2


# --- inline rows on the plan, day and session pages --------------------------------------------------------


def test_session_page_refuses_deleting_a_ticked_task_row(root: Client, enrollment: Enrollment) -> None:
    task = ticked_task(enrollment)
    url = SESSION_URL.format(task.session_id)
    data = page_data(root, url)
    set_row(data, "tasks", task.pk, DELETE="on")
    data["topic"] = "must not be saved"
    response = root.post(url, data)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert Task.objects.filter(pk=task.pk).exists()
    assert not Session.objects.filter(topic="must not be saved").exists()


def test_day_page_refuses_deleting_a_session_with_ticked_tasks(root: Client, enrollment: Enrollment) -> None:
    task = ticked_task(enrollment)
    target = day(enrollment.plan, 1)
    data = page_data(root, DAY_URL.format(target.pk))
    set_row(data, "sessions", task.session_id, DELETE="on")
    response = root.post(DAY_URL.format(target.pk), data)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert Session.objects.filter(pk=task.session_id).exists()
    assert Task.objects.filter(session_id=task.session_id).count() == 2


def test_session_page_deletes_a_task_row_nobody_ticked(root: Client, enrollment: Enrollment) -> None:
    ticked = ticked_task(enrollment)
    free = Task.objects.filter(session=ticked.session).exclude(pk=ticked.pk).first()
    assert free is not None
    url = SESSION_URL.format(ticked.session_id)
    data = page_data(root, url)
    set_row(data, "tasks", free.pk, DELETE="on")
    assert root.post(url, data).status_code == 302
    assert not Task.objects.filter(pk=free.pk).exists()
    assert Task.objects.filter(pk=ticked.pk).exists()


def test_plan_page_refuses_moving_a_week_into_a_phase_being_deleted(root: Client, plan: Plan) -> None:
    going = Phase.objects.create(plan=plan, number=2, title="Empty phase")
    week = Week.objects.get(plan=plan, number=2)
    url = f"/admin/curriculum/plan/{plan.pk}/change/"
    data = page_data(root, url)
    set_row(data, "phases", going.pk, DELETE="on")
    set_row(data, "weeks", week.pk, phase=going.pk)
    response = root.post(url, data)
    assert response.status_code == 200
    assert "is being deleted in this save" in response.content.decode()
    week.refresh_from_db()
    assert week.phase_id != going.pk
    assert Phase.objects.filter(pk=going.pk).exists()


def test_plan_page_refuses_deleting_a_week_with_progress(root: Client, enrollment: Enrollment) -> None:
    ticked_task(enrollment, number=2)
    week = Week.objects.get(plan=enrollment.plan, number=1)
    url = f"/admin/curriculum/plan/{enrollment.plan.pk}/change/"
    data = page_data(root, url)
    set_row(data, "weeks", week.pk, DELETE="on")
    response = root.post(url, data)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert Day.objects.filter(week=week).count() == 5


def test_the_refusal_page_costs_the_same_for_one_learner_or_many(
    root: Client, plan: Plan, make_user: Callable[..., User]
) -> None:
    task = Task.objects.filter(session__day__plan=plan).first()
    assert task is not None
    counts = []
    for batch in (1, 20):
        for i in range(batch):
            learner = make_user(f"learner{batch}-{i}")
            enrollment = Enrollment.objects.create(user=learner, plan=plan, start_date=date(2026, 3, 2))
            TaskCompletion.objects.create(enrollment=enrollment, task=task)
        root.get(f"/admin/curriculum/task/{task.pk}/delete/")
        with CaptureQueriesContext(connection) as ctx:
            response = root.get(f"/admin/curriculum/task/{task.pk}/delete/")
        assert REFUSED in response.content.decode()
        counts.append(len(ctx))
    assert counts[0] == counts[1]
