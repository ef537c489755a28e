"""Tasks are linked to the resources they cite: the matcher on the reference and test documents, the import
report, re-imports, the admin, and the export that leaves the links out."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test.client import Client

from curriculum.citations import Keys, cites, match
from curriculum.document import parse_bytes
from curriculum.importer import import_document
from curriculum.models import Citation, Plan, Resource, Task
from tests.curriculum.formdata import add_row, page_data
from tests.curriculum.plan_documents import OWN_DOCUMENTS, REFERENCE, export_plan, import_plan

pytestmark = pytest.mark.django_db


def links(plan: Plan) -> set[tuple[int, str, str]]:
    rows = Citation.objects.filter(task__session__day__plan=plan).select_related("task__session__day", "resource")
    return {(c.task.session.day.number, c.task.text, c.resource.text) for c in rows}


def first_task(plan: Plan, day: int) -> Task:
    return Task.objects.filter(session__day__plan=plan, session__day__number=day).order_by(
        "session__position", "position"
    )[0]


@pytest.fixture
def reference() -> Plan:
    return import_document(parse_bytes(REFERENCE.read_bytes()), "multimodal-90-days").plan


def test_day_1s_first_task_cites_paper_1(reference: Plan) -> None:
    paper = Resource.objects.get(section__plan=reference, section__position=1, position=1)
    assert list(first_task(reference, 1).resources.all()) == [paper]
    assert paper.text.startswith("Chen等人")


def test_every_paper_of_the_reference_is_cited_by_the_task_that_names_its_author(reference: Plan) -> None:
    papers = {r.text[:2]: r for r in Resource.objects.filter(section__plan=reference, section__position=1)}
    cited = {
        (day, text[:4]) for day, text, resource in links(reference) if resource in {p.text for p in papers.values()}
    }
    assert cited == {(1, "阅读Ch"), (3, "阅读Li"), (11, "阅读Ma"), (16, "阅读Wu")}


def test_tools_are_cited_by_name_and_tips_never(reference: Plan) -> None:
    found = links(reference)
    assert (37, "安装与配置ONNX Runtime", "ONNX Runtime") in found
    assert (9, "使用Gradio包装之前的图像描述或VQA模型", "Gradio/Streamlit") in found
    assert (18, "学习LoRA、Prefix Tuning等PEFT方法", "PEFT库（参数高效微调）") in found
    assert not any(resource.startswith(("每天", "建立", "周末", "保持")) for _, _, resource in found)
    assert len(found) == 27


def test_own_documents_link_by_url_and_skip_the_plans_own_subject() -> None:
    rust, year = OWN_DOCUMENTS
    assert rust.name == "rust-short-course.md"
    plan = import_document(parse_bytes(rust.read_bytes()), "rust").plan
    # "Rust by Example" does not catch every task that says "Rust": the plan's title names its subject.
    assert links(plan) == {
        (
            1,
            "阅读 [The Rust Book](https://doc.rust-lang.org/book/) 第1章",
            "*The Rust Programming Language* — https://doc.rust-lang.org/book/",
        )
    }
    assert links(import_document(parse_bytes(year.read_bytes()), "year").plan) == set()


@pytest.mark.parametrize(
    ("task", "resource", "expected"),
    [
        ('阅读Li等人的"大型视觉语言模型的基准评估"', 'Li等人，"大型视觉语言模型的基准评估"（架构部分）', True),
        ('阅读Li等人的"另一篇论文"', 'Li等人，"大型视觉语言模型的基准评估"', False),  # same author, other title
        ("Read Smith et al. on attention", 'Smith et al., "Attention everywhere"', True),
        ("Read “Attention everywhere” tonight", 'Smith et al., "Attention everywhere"', True),
        ("Install onnx", "ONNX Runtime", False),  # names are matched with their capitals
        ("Try ONNXRuntime", "ONNX Runtime", False),  # ... and as words of their own
        ("Use `cargo clippy`", "Run `cargo clippy` often.", False),  # code and lower-case words are no names
    ],
)
def test_the_matcher_on_single_texts(task: str, resource: str, expected: bool) -> None:
    assert cites(task, Keys.of(resource)) is expected


def test_match_pairs_in_task_then_resource_order() -> None:
    pairs = match([(1, "PyTorch and Gradio"), (2, "nothing")], [("a", "Gradio/Streamlit"), ("b", "PyTorch")])
    assert pairs == [(1, "a"), (1, "b")]


def test_dry_run_reports_the_links_and_writes_nothing() -> None:
    out = import_plan(REFERENCE, "mm", "--dry-run")
    assert "27 task(s) linked to resources:" in out
    assert "day 1: 阅读Chen等人的" in out
    assert not Citation.objects.exists()


def test_replace_recomputes_the_importers_links_and_keeps_the_instructors(reference: Plan, tmp_path: Path) -> None:
    task = first_task(reference, 2)
    tool = Resource.objects.get(section__plan=reference, section__position=2, position=5)
    Citation.objects.create(task=task, resource=tool)
    Citation.objects.filter(task=first_task(reference, 1)).delete()
    import_plan(REFERENCE, "multimodal-90-days", "--replace")
    assert Citation.objects.filter(task=task, resource=tool, automatic=False).exists()
    assert first_task(reference, 1).resources.exists()
    assert export_plan("multimodal-90-days") == REFERENCE.read_text(encoding="utf-8")


def test_instructors_edit_a_tasks_links_in_the_admin(ines: Client, reference: Plan) -> None:
    task = first_task(reference, 2)
    url = f"/admin/curriculum/task/{task.pk}/change/"
    response = ines.get(url)
    offered = response.context["inline_admin_formsets"][0].formset.forms[0].fields["resource"].queryset
    assert set(offered) == set(Resource.objects.filter(section__plan=reference))
    tool = Resource.objects.get(section__plan=reference, section__position=2, position=3)
    data = page_data(ines, url)
    add_row(data, "citations", resource=tool.pk)
    before = Plan.objects.get(pk=reference.pk).version
    assert ines.post(url, data).status_code == 302
    assert list(task.resources.all()) == [tool]
    # Saving the page saves the task too, so learner pages read the plan's structure afresh.
    assert Plan.objects.get(pk=reference.pk).version != before
