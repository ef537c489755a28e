"""Taking a plan document from an instructor: a file kept in memory up to a size limit, or pasted text.

Uploads never touch the disk: the only upload handler is `CappedMemoryUpload`, installed for the document
views before the request body is read (so CSRF is checked after it, by the view itself). It keeps one file,
the `document` field, up to PLAN_DOCUMENT_MAX_BYTES and drops anything bigger while it streams in, so a huge
upload costs no more memory than the limit. Nothing is ever decompressed: a zip renamed .md is just bytes
that are not UTF-8 text, and the parser refuses it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from io import BytesIO
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import caches
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect

from curriculum.models import Plan

FIELD = "document"


class CappedMemoryUpload(FileUploadHandler):
    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large = False
        self.taken = False
        self.buffer = BytesIO()

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        # Only the first `document` file is read; any other file part is skipped unread.
        if field_name != FIELD or self.taken:
            raise SkipFile
        super().new_file(field_name, *args, **kwargs)
        self.taken = True
        if self.content_length is not None and self.content_length > self.limit:
            self.too_large = True
            raise SkipFile

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            self.buffer = BytesIO()
            raise SkipFile
        self.buffer.write(raw_data)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer, self.field_name, self.file_name, self.content_type, file_size, self.charset
        )


def over_rate_limit(request: HttpRequest) -> bool:
    """Counts this POST against the user's allowance for this hour; True once it is used up. Kept in the
    "throttle" cache, which every web process shares when Redis is configured."""
    cache = caches["throttle"]
    key = f"throttle:plan-documents:{request.user.pk}:{int(time.time() // 3600)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=3600)
        count = 1
    return count > settings.PLAN_DOCUMENT_POSTS_PER_HOUR


def document_view(
    view: Callable[..., HttpResponse], refused: Callable[..., HttpResponse]
) -> Callable[..., HttpResponse]:
    """`view` with the capped in-memory upload handler installed, then CSRF checked, and POSTs rate-limited
    (`refused(request)` answers those over the limit)."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.upload_handlers = [CappedMemoryUpload(request, settings.PLAN_DOCUMENT_MAX_BYTES)]
        if request.method == "POST" and over_rate_limit(request):
            return refused(request)
        return protected(request, *args, **kwargs)

    # The CSRF middleware would read the body before the handler is in place; `protected` checks it instead.
    wrapper.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapper


class DocumentForm(forms.Form):
    document = forms.FileField(
        label=_("Document file"), required=False, allow_empty_file=True, help_text=_("UTF-8 Markdown, .md")
    )
    text = forms.CharField(
        label=_("or paste the document"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 12})
    )

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        handlers = request.upload_handlers if request is not None and request.method == "POST" else []
        self.too_large = any(getattr(h, "too_large", False) for h in handlers)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        limit = settings.PLAN_DOCUMENT_MAX_BYTES
        upload, text = cleaned.get("document"), cleaned.get("text") or ""
        if self.too_large:
            raise forms.ValidationError(_("The file is larger than %(limit)s bytes.") % {"limit": limit})
        if upload and text.strip():
            raise forms.ValidationError(_("Choose a file or paste the document, not both."))
        if upload:
            cleaned["data"] = upload.read()
        elif text.strip():
            cleaned["data"] = text.encode("utf-8")
        else:
            raise forms.ValidationError(_("Choose a file or paste the document."))
        if len(cleaned["data"]) > limit:
            raise forms.ValidationError(_("The document is larger than %(limit)s bytes.") % {"limit": limit})
        return cleaned


class NewPlanForm(DocumentForm):
    slug = forms.SlugField(label=_("slug"), max_length=100, help_text=_("The plan's address, e.g. rust-in-30-days."))
    published = forms.BooleanField(label=_("published"), required=False, help_text=_("Learners can enrol at once."))

    field_order = ["slug", "published", "document", "text"]

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if Plan.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("A plan with this slug exists already; replace it from its own page."))
        return slug


def context_lines(text: str, line: int, around: int = 3, width: int = 200) -> list[tuple[int, str, bool]]:
    """(number, text, is the line) for the lines around `line`, each cut to `width` characters."""
    lines = text.split("\n")
    first, last = max(1, line - around), min(len(lines), line + around)
    return [(n, lines[n - 1].removesuffix("\r")[:width], n == line) for n in range(first, last + 1)]
