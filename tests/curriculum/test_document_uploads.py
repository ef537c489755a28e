"""Plan-document uploads in the admin are limited and guarded: refused bad documents (each with its line),
files over the size limit (a 50 MB one among them) and a zip bomb renamed .md, never written to disk,
rate-limited, CSRF-checked, and only for instructors."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test.client import Client

from curriculum.models import Plan
from tests.curriculum.document_admin import (
    CONFIRM_URL,
    IMPORT_URL,
    download_url,
    import_reference,
    preview,
    replace_url,
    upload,
    versions_url,
)
from tests.curriculum.plan_documents import BAD, REFERENCE, SMALL, row_counts
from tests.progress.helpers import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_ui(settings: Any) -> None:
    """The admin in English, so tests read the English source strings (the catalogue is checked elsewhere)."""
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize(("case", "text", "line", "message"), BAD, ids=[case[0] for case in BAD])
def test_documents_the_importer_refuses_are_refused_with_their_line(
    ines: Client, case: str, text: str, line: int, message: str
) -> None:
    response = preview(ines, IMPORT_URL, text, slug="bad")
    assert response.status_code == 400
    assert response.context["error"]["line"] == line
    assert message in response.context["error"]["message"]
    assert not Plan.objects.exists()


def test_a_50_mb_file_is_refused_without_reading_it_into_memory(ines: Client) -> None:
    class Endless(io.RawIOBase):
        """A 50 MB file, made as it is read."""

        def __init__(self, size: int) -> None:
            self.left = size
            self.name = "huge.md"

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            n = min(len(buffer), self.left)
            buffer[:n] = b"x" * n
            self.left -= n
            return n

    response = ines.post(IMPORT_URL, {"slug": "huge", "document": io.BufferedReader(Endless(50 * 1024 * 1024))})

    assert response.status_code == 200
    assert "larger than" in str(response.context["form"].non_field_errors())
    assert not Plan.objects.exists()


def test_a_zip_bomb_renamed_md_is_refused_as_not_text(ines: Client) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("plan.md", b"0" * (200 * 1024 * 1024))
    assert len(packed.getvalue()) < 1024 * 1024

    response = ines.post(IMPORT_URL, {"slug": "bomb", "document": upload(packed.getvalue(), "plan.md")})

    assert response.status_code == 400
    assert "NUL" in response.context["error"]["message"] or "not UTF-8" in response.context["error"]["message"]
    assert not Plan.objects.exists()


def test_a_pasted_document_over_the_limit_is_refused(ines: Client, settings: Any) -> None:
    settings.PLAN_DOCUMENT_MAX_BYTES = len(SMALL.encode()) - 1
    response = ines.post(IMPORT_URL, {"slug": "small", "text": SMALL})
    assert "larger than" in str(response.context["form"].non_field_errors())
    assert not Plan.objects.exists()


def test_uploads_are_never_written_to_disk(ines: Client, settings: Any, tmp_path: Path) -> None:
    # Above Django's own in-memory threshold, where its default handlers would write a temporary file.
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.PLAN_DOCUMENT_MAX_BYTES = 4 * settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    padded = REFERENCE.read_text(encoding="utf-8").replace("## 总体安排\n", "## 总体安排\n" + "概" * 1_000_000 + "\n")
    assert len(padded.encode()) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE

    response = preview(ines, IMPORT_URL, padded, slug="padded")

    assert response.status_code == 200
    assert list(tmp_path.iterdir()) == []


def test_uploads_are_rate_limited(ines: Client, settings: Any) -> None:
    settings.PLAN_DOCUMENT_POSTS_PER_HOUR = 2
    for _ in range(2):
        assert preview(ines, IMPORT_URL, SMALL, slug="small").status_code == 200
    response = preview(ines, IMPORT_URL, SMALL, slug="small")
    assert response.status_code == 429


def test_posts_without_a_csrf_token_are_refused(instructor: User) -> None:
    client = logged_in(instructor, enforce_csrf_checks=True)
    assert client.post(IMPORT_URL, {"slug": "small", "text": SMALL}).status_code == 403
    assert client.post(CONFIRM_URL, {}).status_code == 403
    assert not Plan.objects.exists()


def test_learners_and_staff_outside_the_instructors_group_get_nothing(
    ines: Client, alice: User, make_user: Any
) -> None:
    plan = import_reference(ines)
    before = row_counts()
    learner = logged_in(alice)
    staff = logged_in(make_user("stan", is_staff=True))
    for url in (IMPORT_URL, replace_url(plan), download_url(plan), versions_url(plan)):
        assert learner.get(url).status_code == 302  # to the admin's login
        assert staff.get(url).status_code == 403
    assert staff.post(IMPORT_URL, {"slug": "small", "text": SMALL}).status_code == 403
    assert staff.post(replace_url(plan), {"text": SMALL}).status_code == 403
    assert row_counts() == before


def test_a_preview_of_someone_elses_token_still_needs_permission(ines: Client, make_user: Any) -> None:
    plan = import_reference(ines)
    previewed = preview(ines, replace_url(plan), SMALL)
    staff = logged_in(make_user("stan", is_staff=True))
    response = staff.post(CONFIRM_URL, {"token": previewed.context["token"], "document": previewed.context["document"]})
    assert response.status_code == 403
    assert plan.days.count() == 60


def test_unknown_plans_and_versions_are_404(ines: Client) -> None:
    plan = import_reference(ines)
    for url in ("/admin/curriculum/plan/999999/replace/", f"{versions_url(plan)}999999/restore/"):
        assert ines.get(url).status_code == 404
    assert ines.get(f"{versions_url(plan)}999999/document/").status_code == 404
