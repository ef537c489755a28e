"""Documents and helpers shared by the document, import and fixture tests: the reference and small documents,
line edits, the malformed cases, generated documents, and the import and export commands."""

from __future__ import annotations

import random
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from curriculum import document as d
from curriculum.models import Day, Phase, Plan, Resource, ResourceSection, Session, Task, Week

REFERENCE = Path(settings.BASE_DIR) / "curriculum" / "plans" / "multimodal-90-days.zh.md"
OWN_DOCUMENTS = sorted((Path(__file__).parent / "documents").glob("*.md"))

# A small well-formed document that the bad-input cases are made from, one line changed at a time.
SMALL = """# Small plan

## 总体安排
Two days.

## 第一个月：Basics

### 第1周：Start

#### 第1天
- **上午**：Morning topic
  - Task one
  - Task two
- **下午**：Afternoon topic
  - Task three

#### 第2天
- **全天**：Full day topic
  - Task four

## 学习资源精选

### Papers
1. Paper one
2. Paper two"""


def edit(text: str, line: int, new: str | None) -> str:
    """`text` with 1-based `line` replaced by `new` (which may hold several lines), or deleted when None."""
    lines = text.split("\n")
    lines[line - 1 : line] = [] if new is None else [new]
    return "\n".join(lines)


def delete(text: str, first: int, last: int) -> str:
    lines = text.split("\n")
    del lines[first - 1 : last]
    return "\n".join(lines)


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


def generated_document(seed: int) -> d.Document:
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


def row_counts() -> dict[str, int]:
    """Every curriculum table's size: 'unchanged' in the tests means all of these are."""
    return {
        m.__name__: m._default_manager.count()
        for m in (Plan, Phase, Week, Day, Session, Task, ResourceSection, Resource)
    }


def plan_counts(plan: Plan) -> tuple[int, int, int, int, int, int, int]:
    return (
        plan.phases.count(),
        plan.weeks.count(),
        plan.days.count(),
        Session.objects.filter(day__plan=plan).count(),
        Task.objects.filter(session__day__plan=plan).count(),
        ResourceSection.objects.filter(plan=plan).count(),
        Resource.objects.filter(section__plan=plan).count(),
    )


def write(tmp_path: Path, text: str, name: str = "plan.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def import_plan(path: Path, slug: str, *flags: str) -> str:
    out = StringIO()
    call_command("import_plan", str(path), "--slug", slug, *flags, stdout=out, stderr=StringIO())
    return out.getvalue()


def export_plan(slug: str) -> str:
    out = StringIO()
    call_command("export_plan", slug, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(path: Path, slug: str, *flags: str) -> CommandError:
    with pytest.raises(CommandError) as info:
        import_plan(path, slug, *flags)
    assert info.value.returncode == 1
    return info.value


def task_at(plan: Plan, day: int, session: int, position: int) -> Task:
    return Task.objects.get(
        session__day__plan=plan, session__day__number=day, session__position=session, position=position
    )
