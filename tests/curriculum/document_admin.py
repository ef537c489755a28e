"""Helpers for the admin's plan-document tests: URLs, uploads, previews and confirmations as an instructor."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import Client

from curriculum.models import Plan
from tests.curriculum.plan_documents import REFERENCE

IMPORT_URL = "/admin/curriculum/plan/import/"
CONFIRM_URL = "/admin/curriculum/plan/confirm/"


def replace_url(plan: Plan) -> str:
    return f"/admin/curriculum/plan/{plan.pk}/replace/"


def download_url(plan: Plan) -> str:
    return f"/admin/curriculum/plan/{plan.pk}/document/"


def versions_url(plan: Plan) -> str:
    return f"/admin/curriculum/plan/{plan.pk}/versions/"


def upload(data: bytes | str, name: str = "plan.md") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data.encode("utf-8") if isinstance(data, str) else data, "text/markdown")


def preview(client: Client, url: str, data: bytes | str, **fields: Any) -> Any:
    return client.post(url, {"document": upload(data), **fields})


def confirm(client: Client, previewed: Any) -> Any:
    assert previewed.status_code == 200, previewed.content.decode()[:2000]
    return client.post(CONFIRM_URL, {"token": previewed.context["token"], "document": previewed.context["document"]})


def import_reference(client: Client, slug: str = "multimodal") -> Plan:
    response = confirm(client, preview(client, IMPORT_URL, REFERENCE.read_bytes(), slug=slug, published="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Plan.objects.get(slug=slug)


def revised(text: str) -> str:
    """The reference plan with day 1's first task reworded, day 1's last afternoon task moved to the end of
    the morning, and a new task at the end of day 2's afternoon."""
    lines = text.split("\n")
    assert (
        lines[11].startswith("  - 阅读Chen")
        and lines[15].startswith("  - 完成笔记")
        and lines[23].startswith("  - 观看")
    )
    lines.insert(24, "  - 新任务：复习本周笔记")
    moved = lines.pop(15)
    lines.insert(13, moved)
    lines[11] += "（修订版）"
    return "\n".join(lines)
