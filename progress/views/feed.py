"""The learner's calendar feed (.ics) and resetting its secret link."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from progress.access import ACTION, AuthenticatedHttpRequest, learner_page
from progress.feed import cached_calendar, enrollment_for_token
from progress.models import Enrollment, new_calendar_token
from progress.pages import safe_next


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login: calendar apps cannot log in, the secret token in the URL is the credential."""
    enrollment = enrollment_for_token(token)
    if enrollment is None:
        raise Http404("no such feed")
    response = HttpResponse(cached_calendar(enrollment), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=0, must-revalidate"
    response["Content-Disposition"] = 'inline; filename="study-plan.ics"'
    return response


@learner_page(ACTION)
def calendar_token_reset(request: AuthenticatedHttpRequest, enrollment: Enrollment, today: date) -> HttpResponse:
    enrollment.calendar_token = new_calendar_token()
    enrollment.save(update_fields=["calendar_token"])
    messages.success(request, _("Your calendar link was reset; the old link no longer works."))
    if request.htmx:
        return render(request, "progress/_calendar_feed.html", {"enrollment": enrollment})
    return redirect(safe_next(request, reverse("progress:settings")))
