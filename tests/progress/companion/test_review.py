"""The weekend review: the week's topics, open tasks, notes, cited resources and a weekly reflection."""

from __future__ import annotations

import pytest
from django.test import Client

from curriculum.models import Day
from progress.models import DayNote, WeekNote
from tests.progress.helpers import tasks_of, tick

pytestmark = pytest.mark.usefixtures("english_ui")
HTMX = {"HX-Request": "true"}


def test_today_on_a_weekend_leads_to_the_review_of_the_week_just_studied(
    alice_client: Client, enrollment, on_saturday
) -> None:
    assert 'href="/review/"' in alice_client.get("/").content.decode()
    response = alice_client.get("/review/")
    assert response.status_code == 302 and response["Location"] == "/review/1/"


def test_the_review_shows_topics_open_tasks_notes_and_cited_resources(
    alice_client: Client, enrollment, plan, on_saturday
) -> None:
    done = tasks_of(plan, 1)[0]
    tick(enrollment, done)
    DayNote.objects.create(enrollment=enrollment, day=Day.objects.get(plan=plan, number=2), body="day two *thoughts*")
    html = alice_client.get("/review/1/").content.decode()
    assert "多模态学习概述" in html  # day 1's morning topic
    assert f'id="task-{tasks_of(plan, 1)[1].pk}-box"' in html
    assert f'id="task-{done.pk}-box"' not in html  # ticked: not open any more
    assert "day two <em>thoughts</em>" in html
    assert "Chen等人" in html  # paper 1, cited on day 1


def test_open_work_can_be_ticked_from_the_review(alice_client: Client, enrollment, plan, on_saturday) -> None:
    task = tasks_of(plan, 2)[0]
    response = alice_client.post(f"/days/2/tasks/{task.pk}/toggle/", {"done": "1", "next": "/review/1/"})
    assert response["Location"] == f"/review/1/#task-{task.pk}"  # back to the task it saved
    assert enrollment.completions.filter(task=task).exists()


def test_the_weekly_reflection_saves_with_conflict_handling(alice_client: Client, enrollment, plan) -> None:
    assert alice_client.post("/review/1/note/", {"body": "week one", "version": "0"}).status_code == 302
    assert WeekNote.objects.get(enrollment=enrollment).body == "week one"
    conflict = alice_client.post("/review/1/note/", {"body": "stale", "version": "0"})
    assert conflict.status_code == 409
    assert "stale" in conflict.content.decode() and "week one" in conflict.content.decode()
    ok = alice_client.post("/review/1/note/", {"body": "week one, more", "version": "1"}, headers=HTMX)
    assert "Saved at" in ok.content.decode()
    assert WeekNote.objects.get().version == 2


def test_an_incomplete_reflection_form_saves_nothing(alice_client: Client, enrollment, plan) -> None:
    response = alice_client.post("/review/1/note/", {"body": "x"})
    assert response.status_code == 400
    assert "the form was incomplete" in response.content.decode()
    assert not WeekNote.objects.exists()


def test_a_week_outside_the_plan_is_404(alice_client: Client, enrollment) -> None:
    assert alice_client.get("/review/99/").status_code == 404
    assert alice_client.post("/review/99/note/", {"body": "x", "version": "0"}).status_code == 404


def test_the_export_includes_reflections_and_resource_notes(alice_client: Client, enrollment, plan) -> None:
    alice_client.post("/review/1/note/", {"body": "week reflection", "version": "0"})
    resource = plan.resource_sections.get(position=2).items.get(position=1)
    alice_client.post(f"/resources/{resource.pk}/note/", {"body": "torch tips", "version": "0"})
    text = alice_client.get("/notes/export.md").content.decode()
    assert "## Week 1: reflection\n\nweek reflection" in text
    assert "### PyTorch + Transformers库\n\nStatus: To do\n\ntorch tips" in text
