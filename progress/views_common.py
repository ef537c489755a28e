"""What every learner page shares: the logged-in learner's active enrollment and their local date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Concatenate

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

from progress.access import active_enrollment
from progress.models import Enrollment
from progress.services import local_today


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def learner_page[**P](
    view: Callable[Concatenate[HtmxHttpRequest, Enrollment, date, P], HttpResponse],
) -> Callable[Concatenate[HtmxHttpRequest, P], HttpResponse]:
    """Log-in required; calls `view(request, enrollment, today, ...)` with the active enrollment.

    A learner without an enrollment gets a short page pointing at /enroll/ rather than an error.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        enrollment = active_enrollment(request.user)  # type: ignore[arg-type]
        if enrollment is None:
            return render(request, "progress/no_enrollment.html", status=200)
        return view(request, enrollment, local_today(enrollment), *args, **kwargs)

    return wrapper
