"""The base classes every curriculum admin page is built from."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from curriculum.admin_documents import VersionedAdminMixin
from curriculum.adminkit import OrderedTabularInline, RefuseProtectedDeletesMixin, SingleLineFieldsMixin

TEXT_WIDGET: Any = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 90})}}


class ChildListInline(OrderedTabularInline):
    """An inline whose rows list their own children (`children`, a related name), one per line, then link to
    the row's page, where those children are edited. One prefetch for the inline, not a query per row."""

    children = ""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        child_model: Any = self.model._meta.get_field(self.children).related_model
        ordered = Prefetch(self.children, queryset=child_model._default_manager.order_by("position"))
        return super().get_queryset(request).prefetch_related(ordered)

    def child_list(self, row: models.Model, link_text: str, unsaved: str) -> SafeString:
        if not row.pk:
            return format_html("{}", unsaved)
        url = reverse(f"admin:curriculum_{row._meta.model_name}_change", args=[row.pk])
        children = getattr(row, self.children).all()
        listed = format_html_join("", "{}<br>", ((child.text,) for child in children))
        return format_html('{}<a href="{}">{}</a>', listed, url, link_text)


class CurriculumAdmin(VersionedAdminMixin, SingleLineFieldsMixin, RefuseProtectedDeletesMixin, admin.ModelAdmin):
    pass


class ChildPageAdmin(CurriculumAdmin):
    """A page reached from its parent's inline row: not listed on the admin index, added on the parent page."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class TextRowInline(OrderedTabularInline):
    """The rows at the bottom of the tree: a session's tasks, a resource section's items."""

    fields = ["position", "text"]
    ordering = ["position"]
    formfield_overrides = TEXT_WIDGET
