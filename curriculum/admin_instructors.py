"""The plan page's instructor fields: who teaches the plan (superusers choose) and a link to its cohort.

The link names the instructor pages' URL only; `curriculum` imports nothing from `progress`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from curriculum.models import Plan


class PlanInstructorsMixin:
    """For PlanAdmin, which lists `instructors` and `cohort_link` in its fields (the former in filter_horizontal)."""

    def get_readonly_fields(self, request: HttpRequest, obj: Plan | None = None) -> list[str]:
        # Who teaches a plan decides who reads its learners' progress: superusers alone choose.
        extra = [] if getattr(request.user, "is_superuser", False) else ["instructors"]
        return [*super().get_readonly_fields(request, obj), *extra]  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "instructors":
            kwargs["queryset"] = User.objects.filter(is_staff=True).order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    @admin.display(description=_("learners"))
    def cohort_link(self, plan: Plan) -> str:
        if not plan.pk:
            return "—"
        url = reverse("instructor:cohort", args=[plan.slug])
        return format_html('<a href="{}">{}</a>', url, _("Who is on track, who is stuck, where the plan loses people"))
