"""The Instructors group (made by a migration): add, change and view the curriculum, view progress, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.test.client import Client

from curriculum.models import Day, Plan, Task
from progress.models import Enrollment, TaskCompletion
from tests.curriculum.formdata import page_data
from tests.factories import make_plan

pytestmark = pytest.mark.django_db

CURRICULUM = ["plan", "phase", "week", "day", "session", "task", "resourcesection", "resource"]
PROGRESS = [
    "learnerprofile",
    "enrollment",
    "taskcompletion",
    "daynote",
    "reminderdelivery",
    "schedulechange",
    "dayoff",
    "deletedlearnertotals",
    "nudge",
    "nudgedelivery",
]


@pytest.fixture
def plan() -> Plan:
    return make_plan(days=5)


def test_the_group_has_exactly_the_curriculum_and_progress_permissions() -> None:
    group = Group.objects.get(name="Instructors")
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    expected = {("curriculum", f"{action}_{model}") for model in CURRICULUM for action in ("add", "change", "view")}
    expected |= {("progress", f"view_{model}") for model in PROGRESS}
    # Citations are links, not content: instructors may remove them too.
    expected |= {("curriculum", f"{action}_citation") for action in ("add", "change", "delete", "view")}
    expected |= {("progress", f"view_{model}") for model in ("resourceprogress", "weeknote")}
    assert granted == expected


def test_the_instructor_fixture_is_in_the_group(instructor: User) -> None:
    assert instructor.has_perm("curriculum.change_task")
    assert instructor.has_perm("progress.view_taskcompletion")
    assert not instructor.has_perm("curriculum.delete_task")
    assert not instructor.has_perm("progress.change_enrollment")
    assert not instructor.has_perm("auth.view_user")


@pytest.mark.parametrize("url", ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"])
def test_instructor_cannot_reach_user_admin(ines: Client, url: str) -> None:
    assert ines.get(url).status_code == 403


def test_instructor_cannot_delete_from_the_delete_page(ines: Client, plan: Plan) -> None:
    task = Task.objects.filter(session__day__plan=plan).first()
    assert task is not None
    assert ines.get(f"/admin/curriculum/task/{task.pk}/delete/").status_code == 403
    assert ines.post(f"/admin/curriculum/task/{task.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Task.objects.filter(pk=task.pk).exists()


def test_instructor_gets_no_delete_action(ines: Client, plan: Plan) -> None:
    response = ines.get("/admin/curriculum/day/")
    assert "delete_selected" not in response.content.decode()
    day = Day.objects.filter(plan=plan).first()
    assert day is not None
    ines.post("/admin/curriculum/day/", {"action": "delete_selected", "_selected_action": [day.pk], "post": "yes"})
    assert Day.objects.filter(pk=day.pk).exists()


def test_instructor_cannot_delete_inline_rows(ines: Client, plan: Plan) -> None:
    day = Day.objects.get(plan=plan, number=1)
    morning = day.sessions.get(position=1)
    for url, prefix in (
        (f"/admin/curriculum/day/{day.pk}/change/", "sessions"),
        (f"/admin/curriculum/session/{morning.pk}/change/", "tasks"),
    ):
        data = page_data(ines, url)
        assert "DELETE" not in "".join(data)
        data[f"{prefix}-0-DELETE"] = "on"
        assert ines.post(url, data).status_code == 302
    assert Task.objects.filter(session__day=day).count() == 4
    assert day.sessions.count() == 2


def test_instructor_views_progress_but_cannot_change_it(ines: Client, plan: Plan, alice: User) -> None:
    enrollment = Enrollment.objects.create(user=alice, plan=plan, start_date=date(2026, 3, 2))
    task = Task.objects.filter(session__day__plan=plan).first()
    assert task is not None
    completion = TaskCompletion.objects.create(enrollment=enrollment, task=task)
    assert ines.get("/admin/progress/enrollment/").status_code == 200
    url = f"/admin/progress/taskcompletion/{completion.pk}/change/"
    assert ines.get(url).status_code == 200
    assert ines.post(url, {"task": task.pk}).status_code == 403
    assert ines.get("/admin/progress/enrollment/add/").status_code == 403
    assert ines.get(f"/admin/progress/enrollment/{enrollment.pk}/delete/").status_code == 403


def test_a_learner_cannot_reach_the_admin(client: Client, alice: User) -> None:
    client.force_login(alice)
    for url in ("/admin/", "/admin/curriculum/day/", "/admin/progress/enrollment/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_a_staff_member_outside_the_group_sees_no_curriculum(client: Client, make_user: Callable[..., User]) -> None:
    client.force_login(make_user("staffer", is_staff=True))
    assert client.get("/admin/curriculum/day/").status_code == 403
