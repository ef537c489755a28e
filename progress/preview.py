"""An instructor's preview of the learner pages: a throw-away enrollment that is never saved.

From a plan's admin page an instructor picks a start date and reads Today, the calendar, a day and the plan
as a learner who started on that date would see them today. The enrollment is an unsaved `Enrollment` with
no ticks, notes or schedule changes (`progress.state.load` and `Enrollment.schedule_input` read nothing for
an unsaved one), so no row is written that a learner, the cohort pages or a report could see. The pages are
the learner's own builders (`progress.page_contexts`, `pages.day_context`) and templates; the `preview` in
their context hides every form that writes and points links within the preview (`{% page_url %}`).

Who may: an instructor (`progress.instructors`) of the plan who may also change plans in the admin, or a
superuser. Anyone else gets the instructor pages' 404; an assigned instructor without the admin's change
permission, 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Concatenate
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse

from curriculum.models import Plan
from progress.access import PAGE, AuthenticatedHttpRequest, View
from progress.forms.preview import PreviewStartForm
from progress.instructors import instructor_page, is_instructor, visible_plans
from progress.models import Enrollment
from progress.services import Overview, overview
from progress.zones import local_today

CHANGE_PLAN = "curriculum.change_plan"
# The pages a preview has; any other learner page (settings, progress, resources...) writes or needs history.
PAGES = frozenset({"today", "calendar", "calendar_month", "day", "plan"})


@dataclass(frozen=True)
class Preview:
    """A plan seen by a learner who started on `start`, on `today` (the date in the default time zone)."""

    plan: Plan
    start: date
    enrollment: Enrollment  # unsaved, never to be saved
    today: date

    def url(self, name: str, *args: object) -> str | None:
        """The preview's URL of learner page `name` (a `progress:` URL name), or None if it has none."""
        if name not in PAGES:
            return None
        return reverse(f"instructor:preview:{name}", args=[self.plan.slug, self.start, *args])

    def overview(self) -> Overview:
        """The throw-away learner's standing today: no ticks, no schedule changes (nothing is read)."""
        return overview(self.enrollment, self.today)

    @property
    def admin_url(self) -> str:
        return reverse("admin:curriculum_plan_change", args=[self.plan.pk])

    @property
    def start_url(self) -> str:
        return reverse("instructor:preview:start", args=[self.plan.slug])


def throwaway(plan: Plan, start: date, user: User) -> Preview:
    """The preview of `plan` from `start`: the enrollment's defaults are a new learner's."""
    enrollment = Enrollment(user=user, plan=plan, start_date=start)
    return Preview(plan, start, enrollment, local_today(enrollment.time_zone))


def default_today() -> date:
    """Today in a new enrollment's time zone: the date a preview calls today and offers as the start."""
    return local_today(Enrollment._meta.get_field("time_zone").get_default())


def may_preview(user: User | AnonymousUser, plan: Plan) -> bool:
    """Whether `user` may preview `plan` (the admin's plan page shows the form only then)."""
    if not user.is_authenticated or not isinstance(user, User) or not is_instructor(user):
        return False
    return user.has_perm(CHANGE_PLAN) and visible_plans(user).filter(pk=plan.pk).exists()


type PlanView[**P] = Callable[Concatenate[AuthenticatedHttpRequest, Plan, P], HttpResponse]
type PreviewView[**P] = Callable[Concatenate[AuthenticatedHttpRequest, Preview, P], HttpResponse]


def plan_preview_page[**P](view: PlanView[P]) -> View[P]:
    """`progress.instructors.instructor_page` for GET and HEAD, then 403 without the admin's change permission."""

    @wraps(view)
    def checked(request: AuthenticatedHttpRequest, plan: Plan, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.has_perm(CHANGE_PLAN):
            raise PermissionDenied
        return view(request, plan, *args, **kwargs)

    return instructor_page(PAGE)(checked)


def preview_page[**P](view: PreviewView[P]) -> View[P]:
    """`plan_preview_page`, then `view(request, preview, ...)` for the URL's `start` date.

    A start date out of range (typed into the address: the forms refuse it) leads to the start form, which
    says why.
    """

    @wraps(view)
    def with_preview(
        request: AuthenticatedHttpRequest, plan: Plan, start: date, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponse:
        preview = throwaway(plan, start, request.user)
        if not PreviewStartForm({"start": start.isoformat()}, today=preview.today).is_valid():
            return HttpResponseRedirect(f"{preview.start_url}?{urlencode({'start': start.isoformat()})}")
        return view(request, preview, *args, **kwargs)

    return plan_preview_page(with_preview)  # type: ignore[arg-type]  # `start` is one more URL argument
