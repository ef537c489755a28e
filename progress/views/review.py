"""The weekend review page of a plan week, and saving its weekly reflection note."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from curriculum.models import Week
from progress.access import ACTION, AuthenticatedHttpRequest, learner_page
from progress.editing import editor_context, save_note_answer
from progress.models import Enrollment, WeekNote
from progress.review import review, week_to_review
from progress.services import overview


@learner_page()
def review_now(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    """The review of the week just studied: where Today and the review-day reminder email point."""
    return redirect("progress:review", week_to_review(overview(enrollment, today)))


def _page(
    request: AuthenticatedHttpRequest,
    enrollment: Enrollment,
    today: date,
    number: int,
    extra: dict[str, object],
    status: int,
) -> HttpResponse:
    ov = overview(enrollment, today)
    data = review(ov, number)
    note_url = reverse("progress:week_note", args=[number])
    context = {
        "enrollment": enrollment,
        "overview": ov,
        "review": data,
        "done_ids": ov.ticked,
        **editor_context(data.note, note_url, _("Your reflection on this week (Markdown)")),
        **extra,
    }
    return render(request, "progress/review.html", context, status=status)


@learner_page()
def week_review(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, number: int) -> HttpResponse:
    return _page(request, enrollment, today, number, {}, 200)


@learner_page(ACTION)
def week_note(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date, number: int) -> HttpResponse:
    week = get_object_or_404(Week, plan_id=enrollment.plan_id, number=number)
    return save_note_answer(
        request,
        enrollment,
        WeekNote,
        {"enrollment": enrollment, "week": week},
        reverse("progress:review", args=[number]) + "#note",
        lambda extra, status: _page(request, enrollment, today, number, extra, status),
    )
