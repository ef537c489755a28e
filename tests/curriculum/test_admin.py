"""Instructors edit the curriculum in the admin: pages answer, saves land, bad input is refused with the form
again (lists: test_admin_lists.py; query counts: test_admin_queries.py)."""

from __future__ import annotations

import pytest
from django.test.client import Client

from curriculum.models import Day, Phase, Plan, Resource, ResourceSection, Session, Task, Week
from tests.curriculum.formdata import add_row, page_data, set_row
from tests.factories import make_plan

pytestmark = pytest.mark.django_db

DAY_URL = "/admin/curriculum/day/{}/change/"
PLAN_URL = "/admin/curriculum/plan/{}/change/"
SESSION_URL = "/admin/curriculum/session/{}/change/"
SECTION_URL = "/admin/curriculum/resourcesection/{}/change/"
TASK_URL = "/admin/curriculum/task/{}/change/"


def first_day(plan: Plan, number: int = 1) -> Day:
    return Day.objects.get(plan=plan, number=number)


def tasks_of(day: Day) -> list[Task]:
    return list(Task.objects.filter(session__day=day).order_by("session__position", "position"))


def morning_of(plan: Plan, number: int = 1) -> Session:
    return Session.objects.get(day__plan=plan, day__number=number, position=1)


# --- pages answer -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["plan", "day", "task"])
def test_list_pages_answer(ines: Client, plan: Plan, model: str) -> None:
    response = ines.get(f"/admin/curriculum/{model}/")
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["plan", "day", "task"])
def test_add_pages_answer(ines: Client, plan: Plan, model: str) -> None:
    response = ines.get(f"/admin/curriculum/{model}/add/")
    assert response.status_code == 200


def test_change_pages_answer(ines: Client, plan: Plan) -> None:
    day = first_day(plan)
    task = tasks_of(day)[0]
    section = ResourceSection.objects.get(plan=plan)
    pages = (PLAN_URL.format(plan.pk), DAY_URL.format(day.pk), TASK_URL.format(task.pk))
    for url in (*pages, SESSION_URL.format(task.session_id), SECTION_URL.format(section.pk)):
        assert ines.get(url).status_code == 200, url


def test_day_page_lists_each_sessions_tasks_and_links_to_their_page(ines: Client, plan: Plan) -> None:
    day = first_day(plan, 3)
    afternoon = day.sessions.get(position=2)
    response = ines.get(DAY_URL.format(day.pk))
    content = response.content.decode()
    assert "Topic 3m" in content and "Topic 3a" in content
    assert "Task 2 of Topic 3a" in content
    assert f'href="{SESSION_URL.format(afternoon.pk)}"' in content
    # Another day's rows are not on this page.
    assert "Topic 4m" not in content
    prefixes = [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]
    assert prefixes == ["sessions"]


def test_session_page_edits_this_sessions_tasks_only(ines: Client, plan: Plan) -> None:
    afternoon = first_day(plan, 2).sessions.get(position=2)
    response = ines.get(SESSION_URL.format(afternoon.pk))
    (tasks_inline,) = response.context["inline_admin_formsets"]
    assert tasks_inline.formset.prefix == "tasks"
    assert [form.instance.text for form in tasks_inline.formset.initial_forms] == [
        "Task 1 of Topic 2a",
        "Task 2 of Topic 2a",
    ]
    assert "Task 1 of Topic 2m" not in response.content.decode()


def test_session_and_section_pages_are_reached_from_their_parents_not_the_index(ines: Client, plan: Plan) -> None:
    index = ines.get("/admin/").content.decode()
    assert "/admin/curriculum/day/" in index
    assert "/admin/curriculum/session/" not in index and "/admin/curriculum/resourcesection/" not in index
    assert ines.get("/admin/curriculum/session/add/").status_code == 403
    assert ines.get(SESSION_URL.format(morning_of(plan).pk)).status_code == 200


def test_task_page_session_select_offers_only_this_plans_sessions(ines: Client, plan: Plan) -> None:
    make_plan(slug="other", days=3)
    task = tasks_of(first_day(plan, 2))[0]
    response = ines.get(TASK_URL.format(task.pk))
    choices = response.context["adminform"].form.fields["session"].choices
    labels = [label for value, label in choices if value]
    assert len(labels) == 20
    assert all(label.startswith("Plan test-plan · ") for label in labels)
    assert labels[2] == "Plan test-plan · 第2天 · 上午：Topic 2m"


def test_week_phase_select_offers_only_this_plans_phases(ines: Client, plan: Plan) -> None:
    make_plan(slug="other", days=30)
    response = ines.get(PLAN_URL.format(plan.pk))
    weeks_inline = next(i for i in response.context["inline_admin_formsets"] if i.formset.prefix == "weeks")
    choices = weeks_inline.formset.forms[0].fields["phase"].choices
    assert [label for value, label in choices if value] == ["1. Phase 1"]


# --- saving -------------------------------------------------------------------------------------------------


def test_it_adds_a_plan_with_a_phase(ines: Client) -> None:
    data = page_data(ines, "/admin/curriculum/plan/add/")
    data.update(title="Deep learning", slug="deep-learning", published="on", overview_heading="总体安排")
    data.update(resources_heading="资源", summary="")
    add_row(data, "phases", number=1, title="Basics")
    response = ines.post("/admin/curriculum/plan/add/", data)
    assert response.status_code == 302, response.context and response.context["errors"]
    plan = Plan.objects.get(slug="deep-learning")
    assert list(plan.phases.values_list("number", "title")) == [(1, "Basics")]


def test_it_edits_a_plan_and_its_weeks(ines: Client, plan: Plan) -> None:
    week = Week.objects.get(plan=plan, number=2)
    phase2 = Phase.objects.create(plan=plan, number=2, title="Phase 2")
    data = page_data(ines, PLAN_URL.format(plan.pk))
    data["title"] = "Renamed plan"
    set_row(data, "weeks", week.pk, title="Second week", phase=phase2.pk)
    response = ines.post(PLAN_URL.format(plan.pk), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    week.refresh_from_db()
    assert plan.title == "Renamed plan"
    assert (week.title, week.phase_id) == ("Second week", phase2.pk)


def test_it_edits_resource_sections_on_the_plan_page_and_items_on_the_sections_page(ines: Client, plan: Plan) -> None:
    section = ResourceSection.objects.get(plan=plan)
    data = page_data(ines, PLAN_URL.format(plan.pk))
    assert f'href="{SECTION_URL.format(section.pk)}"' in ines.get(PLAN_URL.format(plan.pk)).content.decode()
    set_row(data, "resource_sections", section.pk, heading="Must-read papers")
    add_row(data, "resource_sections", position=2, heading="Tools")
    assert ines.post(PLAN_URL.format(plan.pk), data).status_code == 302
    tools = ResourceSection.objects.get(plan=plan, position=2)
    data = page_data(ines, SECTION_URL.format(tools.pk))
    add_row(data, "items", position=1, text="PyTorch")
    assert ines.post(SECTION_URL.format(tools.pk), data).status_code == 302
    section.refresh_from_db()
    assert (section.heading, tools.heading) == ("Must-read papers", "Tools")
    assert list(Resource.objects.filter(section=tools).values_list("text", flat=True)) == ["PyTorch"]
    assert "PyTorch" in ines.get(PLAN_URL.format(plan.pk)).content.decode()


def test_it_adds_a_day_with_a_session(ines: Client, plan: Plan) -> None:
    week = Week.objects.get(plan=plan, number=2)
    data = page_data(ines, "/admin/curriculum/day/add/")
    data.update(plan=plan.pk, week=week.pk, number=11)
    add_row(data, "sessions", position=1, slot="full_day", topic="Project day")
    response = ines.post("/admin/curriculum/day/add/", data)
    assert response.status_code == 302
    day = Day.objects.get(plan=plan, number=11)
    assert list(day.sessions.values_list("slot", "topic")) == [("full_day", "Project day")]


def test_it_refuses_a_week_of_another_plan_for_a_new_day(ines: Client, plan: Plan) -> None:
    other_week = Week.objects.get(plan=make_plan(slug="other"), number=1)
    data = page_data(ines, "/admin/curriculum/day/add/")
    data.update(plan=plan.pk, week=other_week.pk, number=11)
    response = ines.post("/admin/curriculum/day/add/", data)
    assert response.status_code == 200
    assert "这一周属于另一个计划。" in response.content.decode()  # the default (Chinese) admin wording
    assert not Day.objects.filter(plan=plan, number=11).exists()


def test_session_page_saves_session_and_task_edits_together(ines: Client, plan: Plan) -> None:
    morning = morning_of(plan)
    task = morning.tasks.get(position=1)
    data = page_data(ines, SESSION_URL.format(morning.pk))
    data["topic"] = "Transformers"
    set_row(data, "tasks", task.pk, text="Read **Attention is all you need**")
    response = ines.post(SESSION_URL.format(morning.pk), data)
    assert response.status_code == 302
    morning.refresh_from_db()
    task.refresh_from_db()
    assert morning.topic == "Transformers"
    assert task.text == "Read **Attention is all you need**"


def test_session_page_adds_a_task(ines: Client, plan: Plan) -> None:
    afternoon = first_day(plan).sessions.get(position=2)
    data = page_data(ines, SESSION_URL.format(afternoon.pk))
    add_row(data, "tasks", position=3, text="Write a summary")
    response = ines.post(SESSION_URL.format(afternoon.pk), data)
    assert response.status_code == 302
    assert list(afternoon.tasks.values_list("position", "text"))[-1] == (3, "Write a summary")


def test_session_page_swaps_task_positions(ines: Client, plan: Plan) -> None:
    morning = morning_of(plan)
    first, second = morning.tasks.order_by("position")
    data = page_data(ines, SESSION_URL.format(morning.pk))
    set_row(data, "tasks", first.pk, position=2)
    set_row(data, "tasks", second.pk, position=1)
    response = ines.post(SESSION_URL.format(morning.pk), data)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.position) == (2, 1)


def test_day_page_swaps_session_positions(ines: Client, plan: Plan) -> None:
    day = first_day(plan)
    morning, afternoon = day.sessions.order_by("position")
    data = page_data(ines, DAY_URL.format(day.pk))
    set_row(data, "sessions", morning.pk, position=2)
    set_row(data, "sessions", afternoon.pk, position=1)
    assert ines.post(DAY_URL.format(day.pk), data).status_code == 302
    assert list(day.sessions.order_by("position").values_list("pk", flat=True)) == [afternoon.pk, morning.pk]


def test_task_page_moves_a_task_to_the_other_session(ines: Client, plan: Plan) -> None:
    day = first_day(plan)
    afternoon = day.sessions.get(position=2)
    task = tasks_of(day)[0]
    data = page_data(ines, TASK_URL.format(task.pk))
    data.update(session=afternoon.pk, position=3)
    assert ines.post(TASK_URL.format(task.pk), data).status_code == 302
    task.refresh_from_db()
    assert (task.session_id, task.position) == (afternoon.pk, 3)


def test_session_page_refuses_two_tasks_on_one_position(ines: Client, plan: Plan) -> None:
    morning = morning_of(plan)
    second = morning.tasks.get(position=2)
    data = page_data(ines, SESSION_URL.format(morning.pk))
    set_row(data, "tasks", second.pk, position=1, text="changed")
    response = ines.post(SESSION_URL.format(morning.pk), data)
    assert response.status_code == 200
    assert response.context["errors"]
    second.refresh_from_db()
    assert (second.position, second.text) == (2, "Task 2 of Topic 1m")


def test_task_page_refuses_a_session_of_another_plan(ines: Client, plan: Plan) -> None:
    elsewhere = morning_of(make_plan(slug="other", days=2))
    task = tasks_of(first_day(plan))[0]
    data = page_data(ines, TASK_URL.format(task.pk))
    data.update(session=elsewhere.pk, position=9)
    response = ines.post(TASK_URL.format(task.pk), data)
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.session.day.plan_id == plan.pk


def test_session_page_refuses_a_task_row_posted_onto_another_session(ines: Client, plan: Plan) -> None:
    morning = morning_of(plan)
    elsewhere = morning_of(plan, 2)
    task = morning.tasks.get(position=1)
    data = page_data(ines, SESSION_URL.format(morning.pk))
    set_row(data, "tasks", task.pk, session=elsewhere.pk, position=9)
    response = ines.post(SESSION_URL.format(morning.pk), data)
    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.session_id, task.position) == (morning.pk, 1)


def test_session_page_cannot_reach_another_sessions_task(ines: Client, plan: Plan) -> None:
    morning = morning_of(plan)
    foreign = morning_of(plan, 2).tasks.get(position=1)
    data = page_data(ines, SESSION_URL.format(morning.pk))
    data["tasks-0-id"] = str(foreign.pk)
    data["tasks-0-text"] = "hijacked"
    ines.post(SESSION_URL.format(morning.pk), data)
    foreign.refresh_from_db()
    assert foreign.text != "hijacked"


def test_session_page_refuses_a_blank_task(ines: Client, plan: Plan) -> None:
    morning = morning_of(plan)
    task = morning.tasks.get(position=1)
    data = page_data(ines, SESSION_URL.format(morning.pk))
    set_row(data, "tasks", task.pk, text="")
    data["topic"] = "Not saved either"
    response = ines.post(SESSION_URL.format(morning.pk), data)
    assert response.status_code == 200
    assert not Session.objects.filter(topic="Not saved either").exists()
    task.refresh_from_db()
    assert task.text == "Task 1 of Topic 1m"


def test_task_page_saves(ines: Client, plan: Plan) -> None:
    task = tasks_of(first_day(plan))[0]
    url = TASK_URL.format(task.pk)
    data = page_data(ines, url)
    data["text"] = "Edited on its own page"
    assert ines.post(url, data).status_code == 302
    task.refresh_from_db()
    assert task.text == "Edited on its own page"


def test_a_concurrent_edit_is_refused_with_a_message_not_a_500(ines: Client, plan: Plan) -> None:
    day = first_day(plan)
    morning = day.sessions.get(position=1)
    data = page_data(ines, DAY_URL.format(day.pk))
    # Someone else adds a third session after this page was loaded...
    Session.objects.create(day=day, slot="afternoon", topic="Added meanwhile", position=3)
    # ...and this editor adds one on the same position, and renames the morning.
    add_row(data, "sessions", position=3, slot="full_day", topic="Mine")
    set_row(data, "sessions", morning.pk, topic="Renamed")
    response = ines.post(DAY_URL.format(day.pk), data, follow=True)
    assert response.status_code == 200
    assert "没有保存任何内容" in response.content.decode()  # "Nothing was saved", in the default language
    morning.refresh_from_db()
    assert morning.topic == "Topic 1m"
    assert list(day.sessions.order_by("position").values_list("topic", flat=True)) == [
        "Topic 1m",
        "Topic 1a",
        "Added meanwhile",
    ]


def test_it_refuses_a_day_number_already_taken(ines: Client, plan: Plan) -> None:
    day = first_day(plan, 2)
    data = page_data(ines, DAY_URL.format(day.pk))
    data["number"] = "3"
    response = ines.post(DAY_URL.format(day.pk), data)
    assert response.status_code == 200
    assert response.context["errors"]
    day.refresh_from_db()
    assert day.number == 2


def test_it_refuses_a_new_day_with_a_number_already_taken(ines: Client, plan: Plan) -> None:
    data = page_data(ines, "/admin/curriculum/day/add/")
    data.update(plan=plan.pk, week=Week.objects.get(plan=plan, number=1).pk, number=4)
    response = ines.post("/admin/curriculum/day/add/", data)
    assert response.status_code == 200
    assert response.context["errors"]
    assert Day.objects.filter(plan=plan, number=4).count() == 1


# --- bad input: refused with the form again, never a 500 ---------------------------------------------------


def test_a_day_page_with_a_garbled_inline_count_is_refused_not_a_500(ines: Client) -> None:
    plan = make_plan(days=1)
    day = Day.objects.get(plan=plan, number=1)
    url = f"/admin/curriculum/day/{day.pk}/change/"
    data = page_data(ines, url)
    data["sessions-TOTAL_FORMS"] = "²"  # a digit to str.isdigit(), not to int()

    response = ines.post(url, data)

    assert response.status_code == 200  # the form again, with the management form's error
    assert Session.objects.filter(day=day).count() == 2


def test_a_task_text_with_a_line_break_is_refused_so_the_plan_still_exports(ines: Client) -> None:
    # Saved, it would export as a new day heading: a document that no longer imports.
    plan = make_plan(days=1)
    task = Task.objects.filter(session__day__plan=plan).first()
    assert task is not None
    url = f"/admin/curriculum/task/{task.pk}/change/"
    data = page_data(ines, url)
    data["text"] = "Task one\n#### 第9天"

    response = ines.post(url, data)

    assert response.status_code == 200
    assert "请写在一行内" in response.content.decode()  # "Keep this on one line", in the default language
    task.refresh_from_db()
    assert "\n" not in task.text


def test_a_session_topic_with_a_line_break_is_refused_on_the_day_page(ines: Client) -> None:
    plan = make_plan(days=1)
    day = Day.objects.get(plan=plan, number=1)
    url = f"/admin/curriculum/day/{day.pk}/change/"
    data = page_data(ines, url)
    data["sessions-0-topic"] = "Topic\r\n- **下午**：Injected"

    response = ines.post(url, data)

    assert response.status_code == 200
    assert "请写在一行内" in response.content.decode()  # "Keep this on one line", in the default language
    assert list(Session.objects.filter(day=day).values_list("topic", flat=True)) == ["Topic 1m", "Topic 1a"]


def test_the_plan_overview_may_span_lines(ines: Client) -> None:
    plan = make_plan(days=1)
    url = f"/admin/curriculum/plan/{plan.pk}/change/"
    data = page_data(ines, url)
    data["summary"] = "First line.\nSecond line."

    response = ines.post(url, data)

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.summary == "First line.\nSecond line."
