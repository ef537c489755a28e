"""Instructors work with plan documents in the admin: import with a preview, download, replace with a preview
of what changes (and the learners on each change), refusal of removed progress and of stale previews,
versions, their diff and restore. Uploads' limits and permissions: test_document_uploads.py."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test.client import Client

from curriculum.admin_documents import STALE
from curriculum.models import Plan, PlanVersion, Session, Task
from progress.models import Enrollment, TaskCompletion
from tests.curriculum.document_admin import (
    CONFIRM_URL,
    IMPORT_URL,
    confirm,
    download_url,
    import_reference,
    preview,
    replace_url,
    revised,
    versions_url,
)
from tests.curriculum.plan_documents import (
    REFERENCE,
    SMALL,
    delete,
    edit,
    export_plan,
    import_plan,
    row_counts,
    task_at,
    write,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_ui(settings: Any) -> None:
    """The admin in English, so tests read the English source strings (the catalogue is checked elsewhere)."""
    settings.LANGUAGE_CODE = "en"


def enroll(user: User, plan: Plan) -> Enrollment:
    return Enrollment.objects.create(user=user, plan=plan, start_date=date(2026, 3, 2))


def diff_rows(response: object) -> list[tuple[str, str, int, int, int, int]]:
    changes = response.context["changes"]  # type: ignore[attr-defined]
    return [(c.kind, c.level, c.number, c.session, c.task, c.learners) for c in changes.diff]


def test_the_plan_pages_link_to_the_document_pages(ines: Client) -> None:
    assert IMPORT_URL in ines.get("/admin/curriculum/plan/").content.decode()
    plan = import_reference(ines)
    page = ines.get(f"/admin/curriculum/plan/{plan.pk}/change/").content.decode()
    for url in (replace_url(plan), download_url(plan), versions_url(plan)):
        assert url in page


def test_an_instructor_imports_the_reference_document_and_downloads_it_byte_identical(
    ines: Client, instructor: User
) -> None:
    previewed = preview(ines, IMPORT_URL, REFERENCE.read_bytes(), slug="multimodal")
    assert previewed.status_code == 200
    assert previewed.context["counts"]["tasks"] == 240
    assert not Plan.objects.filter(slug="multimodal").exists()  # nothing written by the preview

    response = confirm(ines, previewed)

    plan = Plan.objects.get(slug="multimodal")
    assert response.status_code == 302 and response["Location"] == f"/admin/curriculum/plan/{plan.pk}/change/"
    assert plan.published is False
    download = ines.get(download_url(plan))
    assert download["Content-Type"] == "text/markdown; charset=utf-8"
    assert 'filename="multimodal.md"' in download["Content-Disposition"]
    assert download.content == REFERENCE.read_bytes()
    version = plan.versions.get()
    assert (version.author, version.action) == (instructor, PlanVersion.Action.IMPORT)
    assert version.document == REFERENCE.read_text(encoding="utf-8")


def test_the_preview_lists_exactly_the_reworded_moved_and_new_task_and_confirming_keeps_ticks(
    ines: Client, alice: User, bob: User
) -> None:
    plan = import_reference(ines)
    reworded, moved = task_at(plan, 1, 1, 1), task_at(plan, 1, 2, 2)
    TaskCompletion.objects.create(enrollment=enroll(alice, plan), task=reworded)
    TaskCompletion.objects.create(enrollment=Enrollment.objects.get(user=alice), task=moved)
    TaskCompletion.objects.create(enrollment=enroll(bob, plan), task=moved)
    before = row_counts()
    text = revised(REFERENCE.read_text(encoding="utf-8"))

    previewed = preview(ines, replace_url(plan), text)

    assert diff_rows(previewed) == [
        ("reworded", "task", 1, 1, 1, 1),
        ("moved", "task", 1, 1, 3, 2),
        ("added", "task", 2, 2, 3, 0),
    ]
    page = previewed.content.decode()
    assert "新任务：复习本周笔记" in page and "（修订版）" in page
    assert row_counts() == before
    assert confirm(ines, previewed).status_code == 302
    assert TaskCompletion.objects.filter(task=reworded).count() == 1
    assert TaskCompletion.objects.filter(task=moved).count() == 2
    reworded.refresh_from_db()
    moved.refresh_from_db()
    assert reworded.text.endswith("（修订版）")
    assert (moved.session.position, moved.position) == (1, 3)
    assert export_plan("multimodal") == text


def test_the_dry_run_prints_the_same_diff(ines: Client, alice: User, tmp_path: Path) -> None:
    plan = import_reference(ines)
    TaskCompletion.objects.create(enrollment=enroll(alice, plan), task=task_at(plan, 1, 1, 1))
    out = import_plan(
        write(tmp_path, revised(REFERENCE.read_text(encoding="utf-8"))), "multimodal", "--replace", "--dry-run"
    )
    diff, links = re.split(r"\n\d+ task\(s\) linked to resources:\n", out)  # the matcher's report comes last
    lines = diff.splitlines()[1:]
    assert "day 1: 阅读Chen等人的" in links
    assert lines == [
        '  day 1, session 1, task 1: reworded "阅读Chen等人的"对多模式智能的下一步预测"第1部分（介绍与概念）" -> '
        '"阅读Chen等人的"对多模式智能的下一步预测"第1部分（介绍与概念）（修订版）" (1 learner(s) have progress on it)',
        '  day 1, session 1, task 3: moved "完成笔记：不同模态的信息特点与挑战" from session 2, task 2',
        '  day 2, session 2, task 3: added "新任务：复习本周笔记"',
    ]


def test_a_document_that_removes_a_ticked_task_is_refused_with_the_task_named(ines: Client, alice: User) -> None:
    plan = import_reference(ines)
    TaskCompletion.objects.create(enrollment=enroll(alice, plan), task=task_at(plan, 1, 1, 2))
    before = row_counts()

    previewed = preview(ines, replace_url(plan), delete(REFERENCE.read_text(encoding="utf-8"), 13, 13))

    page = previewed.content.decode()
    assert "观看Stanford CS231n第1课（计算机视觉基础）" in page
    assert [(b.day, b.task, b.count) for b in previewed.context["changes"].blockers] == [
        (1, "观看Stanford CS231n第1课（计算机视觉基础）", 1)
    ]
    assert CONFIRM_URL not in page
    assert row_counts() == before


def test_a_confirmation_is_refused_when_the_progress_appeared_after_the_preview(ines: Client, alice: User) -> None:
    plan = import_reference(ines)
    previewed = preview(ines, replace_url(plan), delete(REFERENCE.read_text(encoding="utf-8"), 13, 13))
    TaskCompletion.objects.create(enrollment=enroll(alice, plan), task=task_at(plan, 1, 1, 2))

    response = confirm(ines, previewed)

    assert response.status_code == 409
    assert 'day 1, task "观看Stanford CS231n第1课（计算机视觉基础）"' in response.context["message"]
    assert export_plan("multimodal") == REFERENCE.read_text(encoding="utf-8")


def test_a_stale_preview_is_refused(ines: Client) -> None:
    plan = import_reference(ines)
    previewed = preview(ines, replace_url(plan), revised(REFERENCE.read_text(encoding="utf-8")))
    meanwhile = task_at(plan, 3, 1, 1)
    meanwhile.text = "Changed meanwhile"
    meanwhile.save()  # as the admin does: the plan gets a new version
    before = row_counts()

    response = confirm(ines, previewed)

    assert response.status_code == 409
    assert response.context["message"] == STALE
    assert row_counts() == before
    assert task_at(plan, 1, 1, 1).text.endswith("（介绍与概念）")


def test_a_new_plan_preview_is_stale_once_its_slug_is_taken(ines: Client) -> None:
    previewed = preview(ines, IMPORT_URL, SMALL, slug="small")
    import_reference(ines, slug="small")
    assert confirm(ines, previewed).status_code == 409
    assert Plan.objects.get(slug="small").title.startswith("多模态")


def test_a_tampered_document_or_token_is_refused(ines: Client) -> None:
    plan = import_reference(ines)
    previewed = preview(ines, replace_url(plan), revised(REFERENCE.read_text(encoding="utf-8")))
    token, text = previewed.context["token"], previewed.context["document"]
    for data in ({"token": token, "document": text + "x"}, {"token": token[:-2], "document": text}, {}):
        response = ines.post(CONFIRM_URL, data)
        assert response.status_code == 409
    assert export_plan("multimodal") == REFERENCE.read_text(encoding="utf-8")


def test_a_document_with_crlf_line_ends_previews_and_confirms(ines: Client) -> None:
    plan = import_reference(ines)
    text = revised(REFERENCE.read_text(encoding="utf-8"))
    previewed = preview(ines, replace_url(plan), text.replace("\n", "\r\n"))
    sent = {"token": previewed.context["token"], "document": previewed.context["document"].replace("\n", "\r\n")}
    assert ines.post(CONFIRM_URL, sent).status_code == 302
    assert export_plan("multimodal") == text


def test_the_paste_box_works_like_a_file(ines: Client) -> None:
    response = ines.post(IMPORT_URL, {"slug": "small", "text": SMALL})
    assert response.status_code == 200
    assert confirm(ines, response).status_code == 302
    assert export_plan("small") == SMALL


def test_versions_are_listed_compared_and_one_is_restored_through_the_preview(ines: Client, alice: User) -> None:
    plan = import_reference(ines)
    text = revised(REFERENCE.read_text(encoding="utf-8"))
    confirm(ines, preview(ines, replace_url(plan), text))
    session = Session.objects.get(day__plan=plan, day__number=5, position=1)
    form = ines.get(f"/admin/curriculum/session/{session.pk}/change/").context["adminform"].form
    data = {**form.initial, "topic": "Renamed in the admin", "tasks-TOTAL_FORMS": 0, "tasks-INITIAL_FORMS": 0}
    data["day"] = session.day_id
    ines.post(f"/admin/curriculum/session/{session.pk}/change/", data)
    first, second, third = plan.versions.order_by("created_at", "pk")
    assert [v.action for v in (first, second, third)] == ["import", "replace", "admin"]
    assert "Renamed in the admin" in third.document

    listing = ines.get(versions_url(plan))
    page = listing.content.decode()
    assert all(f"/versions/{v.pk}/document/" in page for v in (first, second, third))
    diff = ines.get(versions_url(plan), {"old": first.pk, "new": second.pk}).context["diff"]
    assert "+  - 新任务：复习本周笔记" in diff
    assert ines.get(f"{versions_url(plan)}{first.pk}/document/").content == REFERENCE.read_bytes()

    TaskCompletion.objects.create(enrollment=enroll(alice, plan), task=task_at(plan, 1, 1, 1))
    previewed = ines.get(f"{versions_url(plan)}{first.pk}/restore/")
    assert ("reworded", "task", 1, 1, 1, 1) in diff_rows(previewed)
    assert confirm(ines, previewed).status_code == 302
    assert export_plan("multimodal") == REFERENCE.read_text(encoding="utf-8")
    assert plan.versions.order_by("-created_at", "-pk").first().action == "restore"  # type: ignore[union-attr]
    assert TaskCompletion.objects.get().task.text.endswith("（介绍与概念）")


def test_an_unimportable_plan_downloads_after_a_warning(ines: Client) -> None:
    plan = import_reference(ines)
    Task.objects.filter(session__day__plan=plan, session__day__number=2, session__position=1).delete()

    warned = ines.get(download_url(plan))

    assert warned.status_code == 200
    assert "would not import again" in warned.content.decode()
    assert "has no task" in warned.context["problem"]
    anyway = ines.get(download_url(plan), {"anyway": 1})
    assert anyway.content.decode("utf-8") == export_plan("multimodal")


def test_a_parse_error_is_shown_next_to_its_line(ines: Client) -> None:
    bad = edit(SMALL, 11, "- **晚上**：Evening")
    response = preview(ines, IMPORT_URL, bad, slug="small")
    assert response.status_code == 400
    error = response.context["error"]
    assert error["line"] == 11 and "'晚上' is not a slot" in error["message"]
    assert (11, "- **晚上**：Evening", True) in error["lines"]
    assert not Plan.objects.filter(slug="small").exists()
