"""The Resources page (every item with the learner's status), one item's page (its note, the days citing it)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from curriculum.models import Resource
from progress.access import ACTION, AuthenticatedHttpRequest, learner_page
from progress.editing import editor_context, save_note_answer
from progress.forms.resources import StatusForm
from progress.models import Enrollment, ResourceProgress
from progress.pages import safe_next
from progress.resources import entries, plan_resources, sections, set_status


@learner_page()
def resources(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    context = {"enrollment": enrollment, "sections": sections(enrollment), "statuses": ResourceProgress.Status}
    return render(request, "progress/resources.html", context)


def _resource(enrollment: Enrollment, pk: int) -> Resource:
    """An item of the learner's own plan, or 404."""
    return get_object_or_404(plan_resources(enrollment), pk=pk)


def _detail(
    request: AuthenticatedHttpRequest, enrollment: Enrollment, resource: Resource, extra: dict[str, object], status: int
) -> HttpResponse:
    entry = entries(enrollment, [resource])[0]
    note_url = reverse("progress:resource_note", args=[resource.pk])
    context = {
        "enrollment": enrollment,
        "entry": entry,
        "statuses": ResourceProgress.Status,
        **editor_context(entry.progress, note_url, _("Your note on this resource (Markdown)")),
        **extra,
    }
    return render(request, "progress/resource.html", context, status=status)


@learner_page()
def resource(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, pk: int) -> HttpResponse:
    return _detail(request, enrollment, _resource(enrollment, pk), {}, 200)


@learner_page(ACTION)
def resource_status(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, pk: int) -> HttpResponse:
    item = _resource(enrollment, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed statuses."))
    else:
        set_status(enrollment, item, form.cleaned_data["status"])
        messages.success(request, _("Status saved."))
    return HttpResponseRedirect(safe_next(request, reverse("progress:resource", args=[pk])))


@learner_page(ACTION)
def resource_note(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, pk: int) -> HttpResponse:
    item = _resource(enrollment, pk)
    return save_note_answer(
        request,
        enrollment,
        ResourceProgress,
        {"enrollment": enrollment, "resource": item},
        reverse("progress:resource", args=[pk]) + "#note",
        lambda extra, status: _detail(request, enrollment, item, extra, status),
    )
