"""Ownership checks: one place that turns "not yours" into 404, for every learner object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from progress.models import DayOff, Enrollment, LearnerProfile


def owned_enrollment(user: User, pk: int) -> Enrollment:
    return get_object_or_404(Enrollment.objects.select_related("plan"), pk=pk, user=user)


# --- Per-request view of the learner's enrollments (nav, switcher, enrollment_required) ---------------------

_CACHE_ATTR = "_learner_enrollments"


@dataclass(frozen=True)
class LearnerEnrollments:
    """All of a learner's enrollments (newest first) and the active one, read in one query."""

    all: tuple[Enrollment, ...]
    active: Enrollment | None

    @property
    def others(self) -> tuple[Enrollment, ...]:
        return tuple(e for e in self.all if self.active is None or e.pk != self.active.pk)


def learner_enrollments(request: HttpRequest) -> LearnerEnrollments:
    """The learner's enrollments, cached on the request so the nav and the view share one query.

    The active one is the profile's choice (flagged by an EXISTS subquery, so no second query for the
    profile), else the newest.
    """
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    user = request.user
    if not user.is_authenticated:
        result = LearnerEnrollments(all=(), active=None)
    else:
        rows = tuple(
            Enrollment.objects.filter(user=user)
            .select_related("plan")
            .annotate(is_active=Exists(LearnerProfile.objects.filter(user=user, active_enrollment=OuterRef("pk"))))
        )
        active = next((e for e in rows if e.is_active), rows[0] if rows else None)
        result = LearnerEnrollments(all=rows, active=active)
    setattr(request, _CACHE_ATTR, result)
    return result


def forget_learner_enrollments(request: HttpRequest) -> None:
    """Drop the per-request cache after the view changed enrollments (so the page it renders is current)."""
    if hasattr(request, _CACHE_ATTR):
        delattr(request, _CACHE_ATTR)


def current_enrollment(request: HttpRequest) -> Enrollment | None:
    return learner_enrollments(request).active


def enrollment_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required, and a learner with no enrollment yet is sent to the enrollment page.

    Inside the view, `current_enrollment(request)` returns the active enrollment without another query.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if current_enrollment(request) is None:
            return redirect("progress:enroll")
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def owned_day_off(user: User, pk: int) -> DayOff:
    return get_object_or_404(DayOff.objects.select_related("enrollment"), pk=pk, enrollment__user=user)
