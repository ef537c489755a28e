"""An instructor's preview of Today, the calendar, a day and the plan (progress.preview): GET only.

Each view builds the learner page's own context for the preview's unsaved enrollment and renders the learner
template with `preview` in the context. Nothing here reads or writes the learner page cache
(progress.page_cache): a preview's body is never stored, so it can never be served to a learner, and a
learner's stored body can never be served here.
"""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.vary import vary_on_headers

from curriculum.models import Plan
from progress.access import AuthenticatedHttpRequest
from progress.forms.preview import PreviewStartForm
from progress.page_contexts import calendar_context, month_of, plan_context, today_context
from progress.pages import day_context
from progress.phase_pages import phase_pages
from progress.preview import Preview, default_today, plan_preview_page, preview_page, throwaway


@plan_preview_page
def start(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    """The start-date form (the admin's plan page has the same one); a valid date opens the preview's Today."""
    form = PreviewStartForm(request.GET if "start" in request.GET else None, today=default_today())
    if form.is_valid():
        return HttpResponseRedirect(throwaway(plan, form.cleaned_data["start"], request.user).url("today") or "")
    context = {"plan": plan, "form": form, "admin_url": reverse("admin:curriculum_plan_change", args=[plan.pk])}
    return render(request, "instructor/preview_start.html", context, status=400 if form.is_bound else 200)


def _part(request: AuthenticatedHttpRequest, template: str, context: dict[str, object]) -> SafeString:
    return mark_safe(render_to_string(template, context, request))  # noqa: S308 - Django's own escaping


def _page(
    request: AuthenticatedHttpRequest, template: str, preview: Preview, context: dict[str, object]
) -> HttpResponse:
    context = {**context, "preview": preview}
    return render(request, template, {**context, "body": _part(request, f"{template}#body", context)})


@preview_page
def today(request: AuthenticatedHttpRequest, preview: Preview) -> HttpResponse:
    return _page(request, "progress/today.html", preview, today_context(preview.overview()))


@preview_page
def day(request: AuthenticatedHttpRequest, preview: Preview, number: int) -> HttpResponse:
    return _page(request, "progress/day.html", preview, day_context(preview.enrollment, preview.today, number))


@preview_page
def plan(request: AuthenticatedHttpRequest, preview: Preview) -> HttpResponse:
    ov = preview.overview()
    return _page(request, "progress/plan.html", preview, plan_context(ov, phase_pages(request, ov)))


@vary_on_headers("HX-Request")
@preview_page
def calendar_month(
    request: AuthenticatedHttpRequest, preview: Preview, year: int | None = None, month: int | None = None
) -> HttpResponse:
    year, month = month_of(preview.today, year, month)
    context = {**calendar_context(preview.overview(), year, month), "preview": preview}
    grid = _part(request, "progress/calendar.html#month-grid", context)
    # As on the learner's calendar: htmx swaps the month grid, a history restore wants the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        return HttpResponse(grid)
    return render(request, "progress/calendar.html", {**context, "grid": grid})
