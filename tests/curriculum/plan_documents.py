"""Documents and helpers shared by the document, import and fixture tests (the in-repo copies, never ../shared)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

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
