"""A plan's versions: its document after each import, replace, restore and admin change.

The importer keeps a version itself; admin saves call `record_admin_change`. A version holds the whole
document text, so any version can be downloaded, compared with another or restored (through the import's
own preview and progress rules) without replaying anything.
"""

from __future__ import annotations

import difflib
from typing import Any

from django.db import models

from curriculum.exporter import export_plan
from curriculum.models import Day, Phase, Plan, PlanVersion, Resource, ResourceSection, Session, Task, Week

# How each curriculum row reaches its plan.
PLAN_PATHS: dict[type[models.Model], str] = {
    Plan: "",
    Phase: "plan",
    Week: "plan",
    Day: "plan",
    ResourceSection: "plan",
    Session: "day.plan",
    Task: "session.day.plan",
    Resource: "section.plan",
}


def plan_of(obj: models.Model) -> Plan | None:
    path = PLAN_PATHS.get(type(obj))
    if path is None:
        return None
    target: Any = obj
    for name in filter(None, path.split(".")):
        target = getattr(target, name, None)
    return target if isinstance(target, Plan) else None


def current_document(plan: Plan) -> str:
    """The plan as a document, or "" when it cannot be written as one (a month number outside 1..99)."""
    try:
        return export_plan(plan)
    except ValueError:
        return ""


def record_admin_change(plan: Plan, author: Any, summary: str) -> PlanVersion | None:
    """Keep the plan's document as a version when an admin save changed it (saves that change nothing in the
    document, such as publishing, add none)."""
    text = current_document(plan)
    latest = plan.versions.order_by("-created_at", "-pk").values_list("document", flat=True).first()
    if latest == text:
        return None
    return PlanVersion.objects.create(
        plan=plan, author=author, action=PlanVersion.Action.ADMIN, summary=summary, document=text
    )


def text_diff(old: PlanVersion, new: PlanVersion) -> list[str]:
    """A unified diff between two versions' documents, line by line, without the line ends."""
    return list(
        difflib.unified_diff(
            old.document.split("\n"),
            new.document.split("\n"),
            fromfile=f"{old.created_at:%Y-%m-%d %H:%M:%S}",
            tofile=f"{new.created_at:%Y-%m-%d %H:%M:%S}",
            lineterm="",
        )
    )
