"""The document format on its own: parse, render, round trip, and every way a document can be malformed."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from django.utils import translation

from curriculum import document as d
from curriculum.models import Session
from tests.curriculum.plan_documents import OWN_DOCUMENTS, REFERENCE, SMALL


def edit(text: str, line: int, new: str | None) -> str:
    """`text` with 1-based `line` replaced by `new` (which may hold several lines), or deleted when None."""
    lines = text.split("\n")
    lines[line - 1 : line] = [] if new is None else [new]
    return "\n".join(lines)


def delete(text: str, first: int, last: int) -> str:
    lines = text.split("\n")
    del lines[first - 1 : last]
    return "\n".join(lines)


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


BAD = [
    ("empty", "", 1, "the document is empty"),
    ("only blank lines", "\n   \n\n", 1, "the document is empty"),
    ("no title", edit(SMALL, 1, "Small plan"), 1, "expected the title line '# title'"),
    ("title of level two", edit(SMALL, 1, "## Small plan"), 1, "expected the title line"),
    ("no overview", delete(SMALL, 3, 5), 3, "expected the overview heading"),
    ("text between title and overview", edit(SMALL, 2, "intro"), 2, "expected the overview heading"),
    ("no month at all", "# T\n\n## 总体安排\nText.", 4, "the document has no month"),
    ("week right after the overview", delete(SMALL, 6, 7), 6, "expected a month heading '## 第一个月：title'"),
    ("month not in Chinese numerals", edit(SMALL, 6, "## 第1个月：Basics"), 6, "'1' is not a month number"),
    ("month numeral not canonical", edit(SMALL, 6, "## 第一十个月：Basics"), 6, "'一十' is not a month number"),
    ("first month is not one", edit(SMALL, 6, "## 第二个月：Basics"), 6, "the first month must be month 1"),
    ("month ascii colon", edit(SMALL, 6, "## 第一个月:Basics"), 6, "full-width colon"),
    ("month without title", edit(SMALL, 6, "## 第一个月："), 6, "expected a month title"),
    ("month repeats", edit(SMALL, 16, "\n## 第一个月：Again\n\n### 第2周：W\n"), 17, "month 1 repeats"),
    ("month skips", edit(SMALL, 16, "\n## 第三个月：Later\n\n### 第2周：W\n"), 17, "month numbering skips from 1 to 3"),
    ("month with no week", edit(SMALL, 20, "\n## 第二个月：Empty\n"), 21, "month 2 has no week"),
    ("week repeats", edit(SMALL, 16, "\n### 第1周：Again\n"), 17, "week 1 repeats"),
    ("week skips", edit(SMALL, 16, "\n### 第3周：Later\n"), 17, "week numbering skips from 1 to 3"),
    ("first week is not one", edit(SMALL, 8, "### 第2周：Start"), 8, "the first week must be week 1"),
    ("week ascii colon", edit(SMALL, 8, "### 第1周: Start"), 8, "full-width colon"),
    ("week heading without number", edit(SMALL, 8, "### Week one"), 8, "expected a week heading"),
    ("week with no day", edit(SMALL, 20, "\n### 第2周：Empty\n"), 21, "week 2 has no day"),
    ("day skips", edit(SMALL, 17, "#### 第3天"), 17, "day numbering skips from 1 to 3"),
    ("day repeats", edit(SMALL, 17, "#### 第1天"), 17, "day 1 repeats"),
    ("first day is not one", edit(SMALL, 10, "#### 第2天"), 10, "the first day must be day 1"),
    ("day number with leading zero", edit(SMALL, 10, "#### 第01天"), 10, "expected a day heading '#### 第N天'"),
    ("day heading with a title", edit(SMALL, 10, "#### 第1天：Intro"), 10, "expected a day heading"),
    ("day outside a week", delete(SMALL, 8, 8), 9, "a day heading must be under a week"),
    ("day with no session before next day", delete(SMALL, 11, 15), 10, "day 1 has no session"),
    ("day with no session at the end", delete(SMALL, 18, 19), 17, "day 2 has no session"),
    ("session outside a day", delete(SMALL, 10, 10), 10, "a session line must be under a day"),
    (
        "slot not 上午/下午/全天",
        edit(SMALL, 11, "- **晚上**：Evening"),
        11,
        "'晚上' is not a slot; expected 上午, 下午 or 全天",
    ),
    ("slot label in English", edit(SMALL, 11, "- **Morning**：x"), 11, "'Morning' is not a slot"),
    ("session ascii colon", edit(SMALL, 11, "- **上午**: Morning topic"), 11, "full-width colon"),
    ("session without topic", edit(SMALL, 11, "- **上午**："), 11, "expected the session's topic"),
    ("session line without bold slot", edit(SMALL, 11, "- 上午：Morning topic"), 11, "expected a session line"),
    ("session with no task before a session", delete(SMALL, 12, 13), 11, "the 上午 session has no task"),
    ("session with no task before a day", delete(SMALL, 15, 15), 14, "the 下午 session has no task"),
    ("session with no task at the resources", delete(SMALL, 19, 19), 18, "the 全天 session has no task"),
    ("task with no session above it", edit(SMALL, 11, "  - Stray task"), 11, "task bullet with no session above it"),
    ("empty task", edit(SMALL, 13, "  - "), 13, "empty task bullet"),
    ("empty task without space", edit(SMALL, 13, "  -"), 13, "empty task bullet"),
    ("task indented four spaces", edit(SMALL, 13, "    - nested"), 13, "unrecognised line"),
    ("prose inside a day", edit(SMALL, 13, "Some prose."), 13, "unrecognised line; expected a task bullet"),
    ("prose right after a day heading", edit(SMALL, 11, "prose"), 11, "expected a session line"),
    ("heading of level five", edit(SMALL, 13, "##### deep"), 13, "unrecognised line"),
    ("resource item before a section", delete(SMALL, 23, 23), 23, "resource item with no section above it"),
    ("resource numbering skips", edit(SMALL, 25, "3. Paper two"), 25, "expected resource item number 2, found 3"),
    ("resource list is bullets", edit(SMALL, 25, "- Paper two"), 25, "unrecognised line in the resources"),
    ("resource item empty", edit(SMALL, 25, "2. "), 25, "empty resource item"),
    ("a month after the resources", SMALL + "\n\n## 第二个月：Late", 27, "unrecognised line in the resources"),
    ("month heading missing 个", edit(SMALL, 16, "\n## 第二月：Later\n"), 17, "malformed month heading"),
    ("month in arabic numerals", edit(SMALL, 16, "\n## 第2个月：Later\n"), 17, "'2' is not a month number"),
]


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


def _generated_document(seed: int) -> d.Document:
    """A document of a random but reproducible shape, with text that looks like the format's own markup."""
    rng = random.Random(seed)
    words = [
        "阅读",
        "`code`",
        "**bold**",
        "[link](https://example.com/a_b)",
        "第1天",
        "- x",
        "：",
        "1.",
        "#",
        "*",
        "上午",
    ]

    def text() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))

    week = day = 0
    phases = []
    for month in range(1, rng.randint(1, 14) + 1):
        weeks = []
        for _ in range(rng.randint(1, 3)):
            week += 1
            days = []
            for _ in range(rng.randint(1, 6)):
                day += 1
                slots = rng.choice([["morning", "afternoon"], ["full_day"], ["afternoon"], ["morning"]])
                sessions = tuple(
                    d.Session(slot, text(), tuple(text() for _ in range(rng.randint(1, 5)))) for slot in slots
                )
                days.append(d.Day(day, sessions))
            weeks.append(d.Week(week, text(), tuple(days)))
        phases.append(d.Phase(month, text(), tuple(weeks)))
    sections = tuple(
        d.ResourceSection(text(), tuple(text() for _ in range(rng.randint(0, 4)))) for _ in range(rng.randint(0, 3))
    )
    # The overview is prose: a line starting with "# " there would be a heading, which the format refuses.
    overview = "\n".join(text().lstrip("# ") or "x" for _ in range(rng.randint(0, 3)))
    resources_heading = text() if sections or rng.random() < 0.5 else ""
    return d.Document(text(), text(), overview, tuple(phases), resources_heading, sections)


@pytest.mark.parametrize("seed", range(40))
def test_rendered_documents_of_many_shapes_parse_back_to_the_same_values(seed: int) -> None:
    doc = _generated_document(seed)
    text = d.render(doc)
    assert d.parse(text) == doc
    assert d.render(d.parse(text)) == text
