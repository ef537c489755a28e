"""Instructors read learner progress in the admin: read-only, no secrets shown, queries flat."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.client import Client
from django.test.utils import CaptureQueriesContext

from curriculum.models import Day, Plan, Task
from progress.models import DayNote, Enrollment, TaskCompletion
from tests.factories import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def ines(client: Client, instructor: User) -> Client:
    client.force_login(instructor)
    return client


def enroll(user: User, plan: Plan, ticks: int, notes: int, shared: bool = True) -> Enrollment:
    """An enrollment with ticks and notes; the notes are shared, so the admin may show them."""
    enrollment = Enrollment.objects.create(user=user, plan=plan, start_date=date(2026, 3, 2))
    tasks = Task.objects.filter(session__day__plan=plan).order_by("pk")[:ticks]
    TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=enrollment, task=t) for t in tasks)
    days = Day.objects.filter(plan=plan).order_by("number")[:notes]
    DayNote.objects.bulk_create(
        DayNote(enrollment=enrollment, day=d, body=f"note {d.number}", shared=shared) for d in days
    )
    return enrollment


def test_enrollment_list_shows_progress_counts(ines: Client, alice: User) -> None:
    plan = make_plan(days=10)
    enroll(alice, plan, ticks=7, notes=2)
    content = ines.get("/admin/progress/enrollment/").content.decode()
    assert "7 / 40" in content
    assert "alice" in content


def test_enrollment_page_hides_the_calendar_token(ines: Client, alice: User) -> None:
    enrollment = enroll(alice, make_plan(days=5), ticks=1, notes=1)
    response = ines.get(f"/admin/progress/enrollment/{enrollment.pk}/change/")
    assert response.status_code == 200
    assert enrollment.calendar_token not in response.content.decode()


def test_completion_list_filters_by_enrollment(ines: Client, alice: User, bob: User) -> None:
    plan = make_plan(days=5)
    mine = enroll(alice, plan, ticks=3, notes=0)
    enroll(bob, plan, ticks=5, notes=0)
    response = ines.get("/admin/progress/taskcompletion/", {"enrollment__id__exact": mine.pk})
    assert response.status_code == 200
    assert {c.enrollment_id for c in response.context["cl"].result_list} == {mine.pk}
    assert len(response.context["cl"].result_list) == 3


def test_note_page_shows_the_note(ines: Client, alice: User) -> None:
    enrollment = enroll(alice, make_plan(days=5), ticks=0, notes=1)
    note = DayNote.objects.get(enrollment=enrollment)
    response = ines.get(f"/admin/progress/daynote/{note.pk}/change/")
    assert response.status_code == 200
    assert "note 1" in response.content.decode()


def test_private_notes_stay_out_of_the_admin(ines: Client, alice: User, bob: User) -> None:
    plan = make_plan(days=5)
    private = enroll(alice, plan, ticks=0, notes=2, shared=False)
    enroll(bob, plan, ticks=0, notes=1)
    response = ines.get("/admin/progress/daynote/")
    assert [n.enrollment.user.username for n in response.context["cl"].result_list] == ["bob"]
    assert "note 2" not in response.content.decode()
    note = private.notes.first()
    assert note is not None
    assert ines.get(f"/admin/progress/daynote/{note.pk}/change/").status_code == 302  # "does not exist"
    Enrollment.objects.filter(pk=private.pk).update(share_notes=True)  # the settings switch shares them all
    response = ines.get("/admin/progress/daynote/")
    assert sorted(n.enrollment.user.username for n in response.context["cl"].result_list) == ["alice", "alice", "bob"]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx)


PAGES: dict[str, Callable[[Enrollment], str]] = {
    "enrollments": lambda e: "/admin/progress/enrollment/",
    "enrollment": lambda e: f"/admin/progress/enrollment/{e.pk}/change/",
    "completions": lambda e: "/admin/progress/taskcompletion/",
    "completion": lambda e: f"/admin/progress/taskcompletion/{e.completions.first().pk}/change/",  # type: ignore[union-attr]
    "notes": lambda e: "/admin/progress/daynote/",
    "note": lambda e: f"/admin/progress/daynote/{e.notes.first().pk}/change/",  # type: ignore[union-attr]
}


@pytest.mark.parametrize("page", list(PAGES))
def test_progress_page_query_count_does_not_grow(ines: Client, make_user: Callable[..., User], page: str) -> None:
    small = enroll(make_user("few"), make_plan(slug="small", days=10), ticks=2, notes=2)
    _queries(ines, PAGES[page](small))
    n_small = _queries(ines, PAGES[page](small))
    big_plan = make_plan(slug="big", days=120)
    for i in range(5):
        big = enroll(make_user(f"many{i}"), big_plan, ticks=100, notes=30)
    assert _queries(ines, PAGES[page](big)) == n_small
