"""Ownership checks: one place that turns "not yours" into 404, for every learner object."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import Http404
from django.shortcuts import get_object_or_404

from progress.models import DayOff, Enrollment, LearnerProfile


def owned_enrollment(user: User, pk: int) -> Enrollment:
    return get_object_or_404(Enrollment.objects.select_related("plan"), pk=pk, user=user)


def active_enrollment(user: User) -> Enrollment | None:
    """The enrollment the learner is looking at: the one chosen on their profile, else the newest."""
    profile = LearnerProfile.objects.filter(user=user).select_related("active_enrollment__plan").first()
    if profile and profile.active_enrollment and profile.active_enrollment.user_id == user.pk:
        return profile.active_enrollment
    return Enrollment.objects.filter(user=user).select_related("plan").first()


def require_active_enrollment(user: User) -> Enrollment:
    enrollment = active_enrollment(user)
    if enrollment is None:
        raise Http404("no enrollment")
    return enrollment


def owned_day_off(user: User, pk: int) -> DayOff:
    return get_object_or_404(DayOff.objects.select_related("enrollment"), pk=pk, enrollment__user=user)
