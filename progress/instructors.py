"""Who may see a plan's cohort pages: superusers every plan, instructors the plans they are assigned to.

An instructor is a staff member of the Instructors group; a plan's instructors are `Plan.instructors`, set by
superusers in the admin. Everybody else (learners included) gets 404 on every instructor URL, so the pages do
not even tell strangers that a plan has a cohort page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Concatenate

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from curriculum.models import Plan
from progress.access import PAGE, AuthenticatedHttpRequest, View, signed_in

INSTRUCTORS_GROUP = "Instructors"

type InstructorView[**P] = Callable[Concatenate[AuthenticatedHttpRequest, Plan, P], HttpResponseBase]


def is_instructor(user: User) -> bool:
    if user.is_superuser:
        return True
    return user.is_active and user.is_staff and user.groups.filter(name=INSTRUCTORS_GROUP).exists()


def visible_plans(user: User) -> QuerySet[Plan]:
    """The plans whose cohort `user`, an instructor (see `is_instructor`), may see."""
    return Plan.objects.all() if user.is_superuser else Plan.objects.filter(instructors=user)


def instructors_only[**P](methods: Sequence[str] = PAGE) -> Callable[[Callable[..., HttpResponse]], View[P]]:
    """`signed_in`, then 404 unless the user is an instructor (or a superuser)."""

    def decorate(view: Callable[..., HttpResponse]) -> View[P]:
        @wraps(view)
        def checked(request: AuthenticatedHttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            if not is_instructor(request.user):
                raise Http404("not an instructor")
            return view(request, *args, **kwargs)

        return signed_in(methods)(checked)

    return decorate


def instructor_page[**P](methods: Sequence[str] = PAGE) -> Callable[[InstructorView[P]], View[P]]:
    """`view(request, plan, ...)` for the plan named by the URL's `slug`, or 404 for anyone who may not see it.

    The instructor's counterpart of `progress.access.learner_page`: it needs no enrollment.
    """

    def decorate(view: InstructorView[P]) -> View[P]:
        @wraps(view)
        def with_plan(request: AuthenticatedHttpRequest, slug: str, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            plan = get_object_or_404(visible_plans(request.user), slug=slug)
            # The CSV export streams; Django's decorators under `signed_in` pass any response through.
            return view(request, plan, *args, **kwargs)  # type: ignore[return-value]

        return instructors_only(methods)(with_plan)

    return decorate
