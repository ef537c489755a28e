"""Every way a plan's content changes gives it a new version, so no learner page shows a cached old plan."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command

from curriculum import document as d
from curriculum.importer import import_document
from curriculum.models import Day, Phase, Plan, Resource, ResourceSection, Session, Task, Week
from progress.structure import structure_for
from tests.factories import make_plan

pytestmark = pytest.mark.django_db


def version_of(plan: Plan) -> str:
    return Plan.objects.values_list("version", flat=True).get(pk=plan.pk)


@pytest.fixture
def plan() -> Plan:
    return make_plan(days=3)


def first_task(plan: Plan) -> Task:
    return Task.objects.filter(session__day__plan=plan).order_by("pk").first()  # type: ignore[return-value]


EDITS: dict[str, Callable[[Plan], object]] = {
    "plan title": lambda p: Plan.objects.get(pk=p.pk).save(),
    "phase title": lambda p: Phase.objects.filter(plan=p).first().save(),  # type: ignore[union-attr]
    "week title": lambda p: Week.objects.filter(plan=p).first().save(),  # type: ignore[union-attr]
    "day saved": lambda p: Day.objects.filter(plan=p).first().save(),  # type: ignore[union-attr]
    "session topic": lambda p: Session.objects.filter(day__plan=p).first().save(),  # type: ignore[union-attr]
    "task text": lambda p: first_task(p).save(),
    "task added": lambda p: Task.objects.create(session=first_task(p).session, text="new", position=9),
    "task deleted": lambda p: first_task(p).delete(),
    "session deleted": lambda p: Session.objects.filter(day__plan=p).first().delete(),  # type: ignore[union-attr]
    "day deleted": lambda p: Day.objects.filter(plan=p).last().delete(),  # type: ignore[union-attr]
    "section saved": lambda p: ResourceSection.objects.filter(plan=p).first().save(),  # type: ignore[union-attr]
    "resource added": lambda p: Resource.objects.create(
        section=ResourceSection.objects.get(plan=p), text="x", position=5
    ),
    "resource deleted": lambda p: Resource.objects.filter(section__plan=p).first().delete(),  # type: ignore[union-attr]
}


@pytest.mark.parametrize("edit", EDITS)
def test_every_edit_gives_the_plan_a_new_version(plan: Plan, edit: str) -> None:
    before = version_of(plan)
    EDITS[edit](plan)
    assert version_of(plan) != before


def test_an_edit_leaves_other_plans_alone(plan: Plan) -> None:
    other = make_plan(slug="other", days=2)
    before = version_of(other)
    first_task(plan).save()
    assert version_of(other) == before


def test_import_replace_gives_a_new_version(plan: Plan) -> None:
    text = "# T\n\n## 总体安排\n\nS\n\n## 第一个月：M\n\n### 第1周：W\n\n#### 第1天\n\n- **上午**：topic\n  - task one"
    import_document(d.parse(text), "imported")
    imported = Plan.objects.get(slug="imported")
    before = version_of(imported)
    import_document(d.parse(text.replace("task one", "task one, reworded")), "imported", replace=True)
    assert version_of(imported) != before


def test_loaddata_gives_each_database_its_own_version() -> None:
    call_command("loaddata", "multimodal_90_days", verbosity=0)
    plan = Plan.objects.get(slug="multimodal-90-days")
    assert len(plan.version) == 16


def test_the_structure_follows_an_admin_edit(plan: Plan) -> None:
    task = first_task(plan)
    assert structure_for(Plan.objects.get(pk=plan.pk)).days[1].sessions[0].tasks[0].text == task.text
    task.text = "Read **the** paper"
    task.save()
    item = structure_for(Plan.objects.get(pk=plan.pk)).days[1].sessions[0].tasks[0]
    assert item.text == "Read **the** paper"
    assert item.html == "Read <strong>the</strong> paper"


def test_the_structure_is_built_once_per_version(plan: Plan, django_assert_num_queries: Callable) -> None:
    fresh = Plan.objects.get(pk=plan.pk)
    structure_for(fresh)
    with django_assert_num_queries(0):
        structure_for(fresh)


@pytest.mark.parametrize("days", [10, 300])
def test_building_the_structure_takes_the_same_queries_for_any_size(
    days: int, django_assert_num_queries: Callable
) -> None:
    big = make_plan(slug=f"p{days}", days=days)
    from progress.structure import build

    with django_assert_num_queries(5):
        structure = build(big.pk, big.version)
    assert len(structure.days) == days
    assert structure.totals[days] == 4
    assert [w.number for p in structure.phases for w in p.weeks] == list(range(1, -(-days // 5) + 1))
