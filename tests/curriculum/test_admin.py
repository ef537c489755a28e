"""Instructors edit the curriculum in the admin: pages answer, saves land, lists filter, queries stay flat."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.client import Client
from django.test.utils import CaptureQueriesContext

from curriculum.models import Day, Phase, Plan, Resource, ResourceSection, Session, Task, Week
from tests.curriculum.formdata import add_row, page_data, set_row
from tests.factories import make_plan

pytestmark = pytest.mark.django_db

DAY_URL = "/admin/curriculum/day/{}/change/"
PLAN_URL = "/admin/curriculum/plan/{}/change/"
SESSION_URL = "/admin/curriculum/session/{}/change/"
SECTION_URL = "/admin/curriculum/resourcesection/{}/change/"
TASK_URL = "/admin/curriculum/task/{}/change/"


@pytest.fixture
def ines(client: Client, instructor: User) -> Client:
    client.force_login(instructor)
    return client


@pytest.fixture
def plan() -> Plan:
    return make_plan(days=10)


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


# --- lists: structure, search, filters ----------------------------------------------------------------------


def test_day_list_shows_structure_at_a_glance(ines: Client, plan: Plan) -> None:
    content = ines.get(f"/admin/curriculum/day/?plan={plan.pk}").content.decode()
    assert "上午：Topic 7m / 下午：Topic 7a" in content
    assert "2. Week 2" in content


def test_task_search_finds_text(ines: Client, plan: Plan) -> None:
    response = ines.get("/admin/curriculum/task/", {"q": "Task 2 of Topic 7a"})
    assert [t.text for t in response.context["cl"].result_list] == ["Task 2 of Topic 7a"]


def test_day_search_finds_days_by_task_text(ines: Client, plan: Plan) -> None:
    response = ines.get("/admin/curriculum/day/", {"q": "Task 1 of Topic 4m"})
    assert [d.number for d in response.context["cl"].result_list] == [4]


def test_day_list_filters_by_plan_phase_and_week(ines: Client, plan: Plan) -> None:
    other = make_plan(slug="other", days=30)
    week = Week.objects.get(plan=other, number=5)
    phase2 = Phase.objects.get(plan=other, number=2)

    def numbers(**params: int) -> list[tuple[str, int]]:
        result = ines.get("/admin/curriculum/day/", params).context["cl"].result_list
        return [(d.plan.slug, d.number) for d in result]

    assert len(numbers(plan=plan.pk)) == 10
    assert numbers(plan=other.pk, week=week.pk) == [("other", n) for n in range(21, 26)]
    assert numbers(phase=phase2.pk) == [("other", n) for n in range(21, 31)]


def test_task_list_filters_by_week(ines: Client, plan: Plan) -> None:
    week = Week.objects.get(plan=plan, number=2)
    result = ines.get("/admin/curriculum/task/", {"week": week.pk}).context["cl"].result_list
    assert {t.session.day.number for t in result} == set(range(6, 11))


def test_week_filter_narrows_to_the_chosen_plan(ines: Client, plan: Plan) -> None:
    make_plan(slug="other", days=30)
    response = ines.get("/admin/curriculum/day/", {"plan": plan.pk})
    week_filter = next(f for f in response.context["cl"].filter_specs if f.parameter_name == "week")
    assert [label for _value, label in week_filter.lookup_choices] == ["1. Week 1", "2. Week 2"]


def test_a_bad_filter_value_shows_nothing_and_no_error(ines: Client, plan: Plan) -> None:
    response = ines.get("/admin/curriculum/day/", {"week": "abc"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


# --- constant query counts ----------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def _last_task(plan: Plan) -> Task:
    task = Task.objects.filter(session__day__plan=plan).last()
    assert task is not None
    return task


URLS: dict[str, Callable[[Plan], str]] = {
    "plan list": lambda p: "/admin/curriculum/plan/",
    "plan page": lambda p: PLAN_URL.format(p.pk),
    "day list": lambda p: f"/admin/curriculum/day/?plan={p.pk}",
    "day list, all plans": lambda p: "/admin/curriculum/day/",
    "day list with counts": lambda p: f"/admin/curriculum/day/?plan={p.pk}&_facets=True",
    "day search": lambda p: "/admin/curriculum/day/?q=Task",
    "day page": lambda p: DAY_URL.format(p.days.order_by("number").last().pk),  # type: ignore[union-attr]
    "day add": lambda p: "/admin/curriculum/day/add/",
    "task list": lambda p: f"/admin/curriculum/task/?plan={p.pk}",
    "task search": lambda p: "/admin/curriculum/task/?q=Topic",
    "task list with counts": lambda p: "/admin/curriculum/task/?_facets=True",
    "task page": lambda p: TASK_URL.format(_last_task(p).pk),
    "task add": lambda p: "/admin/curriculum/task/add/",
    "session page": lambda p: SESSION_URL.format(_last_task(p).session_id),
    "session list": lambda p: f"/admin/curriculum/session/?plan={p.pk}",
    "resource section page": lambda p: SECTION_URL.format(p.resource_sections.get().pk),
}


@pytest.mark.parametrize("page", list(URLS))
def test_admin_page_query_count_does_not_grow_with_the_plan(ines: Client, page: str) -> None:
    small = make_plan(slug="small", days=10)
    url = URLS[page]
    _queries(ines, url(small))  # warm the per-process caches (content types, sessions)
    n_small = _queries(ines, url(small))
    big = make_plan(slug="big", days=120)
    n_big = _queries(ines, url(big))
    assert n_big == n_small


@pytest.mark.parametrize("page", ["day", "session"])
def test_a_save_query_count_does_not_grow_with_the_plan(ines: Client, page: str) -> None:
    counts = []
    for slug, days in (("small", 10), ("big", 120)):
        morning = morning_of(make_plan(slug=slug, days=days), days)
        if page == "day":
            url, prefix, row = DAY_URL.format(morning.day_id), "sessions", morning.pk
        else:
            url, prefix, row = SESSION_URL.format(morning.pk), "tasks", morning.tasks.get(position=1).pk
        data = page_data(ines, url)
        set_row(data, prefix, row, **{"topic" if page == "day" else "text": f"edited in {slug}"})
        with CaptureQueriesContext(connection) as ctx:
            assert ines.post(url, data).status_code == 302
        counts.append(len(ctx))
    assert counts[0] == counts[1]


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


@pytest.mark.parametrize("page", [DAY_URL, SESSION_URL])
def test_page_query_count_does_not_grow_with_the_sessions_tasks(ines: Client, page: str) -> None:
    # The day page lists each session's tasks: one prefetch for the inline, not one query per row.
    counts = []
    for slug, tasks in (("two", 2), ("seven", 7)):
        morning = morning_of(make_plan(slug=slug, days=3, tasks=tasks))
        url = page.format(morning.day_id if page == DAY_URL else morning.pk)
        _queries(ines, url)
        counts.append(_queries(ines, url))
    assert counts[0] == counts[1]


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
