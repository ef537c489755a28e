"""Emailing chosen learners of a plan from the cohort page (a nudge), sent by Celery like the reminders."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from curriculum.models import Plan
from progress.access import FORM, AuthenticatedHttpRequest
from progress.cohort import cohort, select
from progress.forms.cohort import CohortFilterForm
from progress.forms.nudge import NudgeForm
from progress.instructors import instructor_page
from progress.nudges.sending import create_nudge, may_send


@instructor_page(FORM)
def nudge(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    """GET: the learners the cohort page's filters keep, all ticked; POST: send to the ticked ones."""
    filters = CohortFilterForm(request.GET)
    everyone = cohort(plan).learners
    shown = select(everyone, filters.filters(), filters.order())
    form = NudgeForm(
        request.POST if request.method == "POST" else None, learner_ids=[r.enrollment.pk for r in everyone]
    )
    status = 200
    if form.is_bound:
        if not may_send(request.user):
            form.add_error(None, _("You have sent many nudges in the last hour; try again later."))
        if form.is_valid():
            return _sent(request, plan, form)
        status = 400
    chosen = set(form["recipients"].value() or []) if form.is_bound else {str(r.enrollment.pk) for r in shown}
    context = {"plan": plan, "form": form, "learners": shown, "chosen": chosen, "query": request.GET.urlencode()}
    return render(request, "instructor/nudge.html", context, status=status)


def _sent(request: AuthenticatedHttpRequest, plan: Plan, form: NudgeForm) -> HttpResponse:
    data = form.cleaned_data
    made = create_nudge(plan, request.user, data["subject"], data["body"], data["recipients"])
    queued, skipped = made.queued, made.skipped
    text = ngettext(
        "The message is on its way to %(n)d learner.", "The message is on its way to %(n)d learners.", queued
    )
    messages.success(request, text % {"n": queued})
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(n)d learner was skipped (emails off, or nudged recently).",
                "%(n)d learners were skipped (emails off, or nudged recently).",
                skipped,
            )
            % {"n": skipped},
        )
    return redirect(reverse("instructor:cohort", args=[plan.slug]))
