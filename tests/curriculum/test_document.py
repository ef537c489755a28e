"""The document format on its own: parse, render, round trip, and every way a document can be malformed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from curriculum import document as d
from curriculum.models import Session
from tests.curriculum.plan_documents import BAD, OWN_DOCUMENTS, REFERENCE, SMALL, edit, generated_document


def test_it_round_trips_the_reference_document_byte_for_byte() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    assert d.render(d.parse(text)) == text


def test_it_reads_the_reference_document_structure() -> None:
    doc = d.parse_bytes(REFERENCE.read_bytes())
    assert doc.counts() == {
        "phases": 3,
        "weeks": 12,
        "days": 60,
        "sessions": 118,
        "tasks": 240,
        "resource sections": 3,
        "resources": 13,
    }
    assert doc.title == "多模态领域超详细速成学习计划（90天）"
    assert doc.overview_heading == "总体安排"
    assert doc.overview.startswith("本计划为期90天")
    assert [p.title for p in doc.phases] == ["基础入门与核心技术", "应用开发与优化", "项目强化与前沿探索"]
    assert doc.weeks[1] == d.Week(2, "预训练模型应用", doc.weeks[1].days)
    day4 = doc.days[3]
    assert day4.number == 4
    assert day4.sessions == (
        d.Session(
            "full_day",
            "CLIP模型实践",
            ("阅读CLIP论文摘要和方法部分", "运行HuggingFace的CLIP教程", "完成图像-文本匹配小实验"),
        ),
    )
    assert doc.days[0].sessions[0].tasks[0] == '阅读Chen等人的"对多模式智能的下一步预测"第1部分（介绍与概念）'
    assert doc.resources_heading == "学习资源精选"
    assert [s.heading for s in doc.resource_sections] == ["必读论文（精简版）", "核心工具", "学习技巧"]
    assert doc.resource_sections[1].items[4] == "ONNX Runtime"


@pytest.mark.parametrize("path", OWN_DOCUMENTS, ids=lambda p: p.name)
def test_it_round_trips_other_documents(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # At most the final newline may differ: the rendered document has none.
    assert d.render(d.parse(text)) == text.removesuffix("\n")


def test_own_documents_differ_in_shape_from_the_reference() -> None:
    assert len(OWN_DOCUMENTS) >= 2
    docs = {p.name: d.parse(p.read_text(encoding="utf-8")) for p in OWN_DOCUMENTS}
    rust = docs["rust-short-course.md"]
    assert [len(w.days) for w in rust.weeks] == [2, 1, 2]
    assert max(len(s.tasks) for s in rust.sessions) == 4
    assert any(s.slot == "full_day" for s in rust.sessions)
    tasks = [t for s in rust.sessions for t in s.tasks]
    assert "阅读 [The Rust Book](https://doc.rust-lang.org/book/) 第1章" in tasks
    assert "用 **cargo new** 建立项目 `hello`" in tasks
    assert rust.resources_heading == "Resources"
    assert [s.heading for s in rust.resource_sections] == [
        "Books & references",
        "Videos (free)",
        "10. Tips with a number in the heading",
    ]
    assert "\n\n" in rust.overview  # a two-paragraph overview
    year = docs["year-of-small-steps.md"]
    assert [p.number for p in year.phases] == list(range(1, 13))
    assert year.resources_heading == ""
    assert year.resource_sections == ()


@pytest.mark.parametrize(
    ("n", "numeral"), [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (21, "二十一"), (99, "九十九")]
)
def test_it_writes_month_numbers_in_chinese(n: int, numeral: str) -> None:
    assert d.chinese_numeral(n) == numeral


def test_every_month_number_up_to_99_round_trips() -> None:
    phases = tuple(
        d.Phase(n, f"M{n}", (d.Week(n, f"W{n}", (d.Day(n, (d.Session("morning", "t", ("x",)),)),)),))
        for n in range(1, 100)
    )
    doc = d.Document("T", "总体安排", "", phases)
    text = d.render(doc)
    assert "## 第九十九个月：M99" in text
    assert d.parse(text) == doc


def test_slot_keys_are_the_session_model_choices() -> None:
    # The labels are lazy translations: read them in the default language, whatever an earlier test activated.
    with translation.override("zh-hans"):
        assert {key: str(label) for key, label in Session.Slot.choices} == d.SLOT_LABELS


def test_it_keeps_an_empty_overview_and_a_resources_heading_without_sections() -> None:
    text = "# T\n\n## 总体安排\n\n## 第一个月：M\n\n### 第1周：W\n\n#### 第1天\n- **下午**：x\n  - y\n\n## 学习资源精选"
    doc = d.parse(text)
    assert doc.overview == ""
    assert doc.resources_heading == "学习资源精选"
    assert d.render(doc) == text


def test_it_reads_crlf_a_byte_order_mark_and_loose_blank_lines_and_writes_the_standard_layout() -> None:
    loose = "\ufeff" + SMALL.replace("\n\n", "\n\n\n").replace("### 第1周：Start\n\n\n", "### 第1周：Start\n")
    doc = d.parse(loose.replace("\n", "\r\n") + "\r\n")
    assert doc == d.parse(SMALL)
    assert d.render(doc) == SMALL


def test_tasks_are_kept_verbatim() -> None:
    text = edit(SMALL, 12, "  - Read `a  b`, **bold**, [x](https://example.com) and trailing spaces  ")
    assert d.parse(text).days[0].sessions[0].tasks[0] == (
        "Read `a  b`, **bold**, [x](https://example.com) and trailing spaces  "
    )
    assert d.render(d.parse(text)) == text


def test_parse_error_carries_line_and_message() -> None:
    with pytest.raises(d.ParseError) as info:
        d.parse(edit(SMALL, 17, "#### 第3天"))
    assert info.value.line == 17
    assert str(info.value) == f"line 17: {info.value.message}"


@pytest.mark.parametrize(("text", "line", "fragment"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_it_refuses_a_malformed_document(text: str, line: int, fragment: str) -> None:
    with pytest.raises(d.ParseError) as info:
        d.parse(text)
    assert info.value.line == line, info.value
    assert fragment in info.value.message


def test_the_small_document_itself_is_well_formed() -> None:
    # Guards the cases above: each must fail because of its one edit.
    assert d.render(d.parse(SMALL)) == SMALL


def test_it_refuses_bytes_that_are_not_utf8_naming_the_line() -> None:
    data = edit(SMALL, 12, "  - 任务").encode("utf-8").replace("任务".encode(), "任务".encode("gbk"))
    with pytest.raises(d.ParseError) as info:
        d.parse_bytes(data)
    assert info.value.line == 12
    assert "not UTF-8" in info.value.message


@pytest.mark.parametrize("seed", range(40))
def test_rendered_documents_of_many_shapes_parse_back_to_the_same_values(seed: int) -> None:
    doc = generated_document(seed)
    text = d.render(doc)
    assert d.parse(text) == doc
    assert d.render(d.parse(text)) == text
