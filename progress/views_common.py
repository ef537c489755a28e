"""What every learner page shares: the logged-in learner's active enrollment and their local date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Concatenate

from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

from progress.access import current_enrollment, enrollment_required
from progress.models import Enrollment
from progress.zones import local_today


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def learner_page[**P](
    view: Callable[Concatenate[HtmxHttpRequest, Enrollment, date, P], HttpResponse],
) -> Callable[Concatenate[HtmxHttpRequest, P], HttpResponse]:
    """`enrollment_required`, then `view(request, enrollment, today, ...)` with the active enrollment.

    The enrollment comes from `current_enrollment(request)`, the same cached query the navigation bar
    reads, and `today` is the learner's local date in the enrollment's time zone. Anonymous visitors go
    to the log-in page, learners without an enrollment to /enroll/.
    """

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        enrollment = current_enrollment(request)
        assert enrollment is not None  # enrollment_required
        return view(request, enrollment, local_today(enrollment.time_zone), *args, **kwargs)

    return enrollment_required(wrapper)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The form's (or query string's) `next`, if it stays on this site; else `fallback`.

    Checked, because an unchecked `next` turns any of our forms into an open redirect.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback
