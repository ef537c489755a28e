"""Who may see a page: the login and method checks every learner page shares, and the ownership checks.

`learner_page` (or `signed_in`, for the pages a learner needs before enrolling) wraps every view behind a
login; `owned_*` is the one place that turns "not yours" into 404, for every learner object.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, wraps
from typing import Any, Concatenate, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods
from django_htmx.middleware import HtmxDetails

from curriculum.models import Plan
from progress.compiled import CompiledQuery
from progress.models import DayOff, Enrollment, LearnerProfile
from progress.zones import local_today


def owned_enrollment(user: User, pk: int) -> Enrollment:
    return get_object_or_404(Enrollment.objects.select_related("plan"), pk=pk, user=user)


# --- Per-request view of the learner's enrollments (nav, switcher, learner_page) ---------------------

_CACHE_ATTR = "_learner_enrollments"


@dataclass(frozen=True)
class LearnerEnrollments:
    """All of a learner's enrollments (newest first) and the active one, read in one query."""

    all: tuple[Enrollment, ...]
    active: Enrollment | None

    @property
    def others(self) -> tuple[Enrollment, ...]:
        return tuple(e for e in self.all if self.active is None or e.pk != self.active.pk)

    @cached_property
    def can_enroll_more(self) -> bool:
        """Whether a published plan is left that the learner is not in: "enroll in another plan" is offered
        only then. One query, run only by a page that shows such a link."""
        return Plan.objects.published().exclude(pk__in=[e.plan_id for e in self.all]).exists()


def _user_rows(user_id: int) -> QuerySet[User, tuple[object, ...]]:
    """The user's columns, then every column of each of their enrollments and its plan, and whether the
    profile made it active (an EXISTS subquery, so no second query for the profile): one row per enrollment,
    newest first (the model's ordering), or one row with NULL enrollment columns for a user with none."""
    active = LearnerProfile.objects.filter(user_id=user_id, active_enrollment=OuterRef("enrollments__pk"))
    return (
        User.objects.filter(pk=user_id)
        .annotate(enrollment_is_active=Exists(active))
        .values_list(*user_with_enrollments_columns(), "enrollment_is_active")
        .order_by("-enrollments__created_at", "-enrollments__pk")
    )


def user_with_enrollments_columns(prefix: str = "") -> list[str]:
    """values_list() names of the user's columns (reached by `prefix`), then every column of each of their
    enrollments and its plan: what `user_from_rows` reads, followed by whether the enrollment is active."""
    return [f"{prefix}{name}" for name in _USER_FIELDS] + enrollment_with_plan_columns(f"{prefix}enrollments__")


_USER_FIELDS = [f.attname for f in User._meta.concrete_fields]
_ENROLLMENT_FIELDS = [f.attname for f in Enrollment._meta.concrete_fields]
_PLAN_FIELDS = [f.attname for f in Plan._meta.concrete_fields]
# values_list() names a foreign key across a relation by the field's name; from_db() wants its column.
_ENROLLMENT_NAMES = [f.name for f in Enrollment._meta.concrete_fields]
_PLAN_NAMES = [f.name for f in Plan._meta.concrete_fields]


def enrollment_with_plan_columns(prefix: str = "") -> list[str]:
    """values_list() names of every column of an enrollment (reached by `prefix`) and of its plan."""
    return [f"{prefix}{name}" for name in _ENROLLMENT_NAMES] + [f"{prefix}plan__{name}" for name in _PLAN_NAMES]


def enrollment_with_plan(row: Sequence[Any]) -> Enrollment:
    """The Enrollment, with its plan attached as select_related would, from the start of a row whose columns
    are `enrollment_with_plan_columns()`."""
    split = len(_ENROLLMENT_FIELDS)
    enrollment = Enrollment.from_db(DEFAULT_DB_ALIAS, _ENROLLMENT_FIELDS, row[:split])
    enrollment.plan = Plan.from_db(DEFAULT_DB_ALIAS, _PLAN_FIELDS, row[split : split + len(_PLAN_FIELDS)])
    return enrollment


# Compiled once per connection: every learner page asks, and the ORM takes longer to build this SQL than
# the database takes to answer it.
_USER_AND_ENROLLMENTS = CompiledQuery("user-and-enrollments", _user_rows)
_ENROLLMENTS_ATTR = "_learner_enrollment_rows"


def user_with_enrollments(user_id: int) -> User | None:
    """The user, with their enrollments (and plans) read in the same query and kept on the instance for
    `learner_enrollments`; None if there is no such user. What `progress.auth.LearnerBackend` loads for
    a signed-in request whose session did not bring it along (progress.sessions)."""
    rows = _USER_AND_ENROLLMENTS.rows(user_id)
    return user_from_rows(rows) if rows else None


def user_from_rows(rows: Sequence[Sequence[Any]]) -> User:
    """The user of rows whose columns are `user_with_enrollments_columns()` then `enrollment_is_active`,
    with their enrollments kept on the instance for `learner_enrollments`."""
    n_user = len(_USER_FIELDS)
    user = User.from_db(DEFAULT_DB_ALIAS, _USER_FIELDS, rows[0][:n_user])
    enrollments = []
    for row in rows:
        if row[n_user] is None:  # the outer join's row for a user without enrollments
            continue
        enrollment = enrollment_with_plan(row[n_user:])
        enrollment.is_active = row[-1]  # type: ignore[attr-defined]
        enrollments.append(enrollment)
    setattr(user, _ENROLLMENTS_ATTR, tuple(enrollments))
    return user


def learner_enrollments(request: HttpRequest) -> LearnerEnrollments:
    """The learner's enrollments, cached on the request so the nav and the view share one query (none at
    all when the user came from `user_with_enrollments`).

    The active one is the profile's choice, else the newest.
    """
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    user = request.user
    if not user.is_authenticated:
        result = LearnerEnrollments(all=(), active=None)
    else:
        # A user loaded by another backend (a session from before LearnerBackend) reads them here.
        loaded = user if hasattr(user, _ENROLLMENTS_ATTR) else user_with_enrollments(user.pk)
        rows: tuple[Enrollment, ...] = getattr(loaded, _ENROLLMENTS_ATTR, ())
        active = next((e for e in rows if e.is_active), rows[0] if rows else None)  # type: ignore[attr-defined]
        result = LearnerEnrollments(all=rows, active=active)
    setattr(request, _CACHE_ATTR, result)
    return result


def forget_learner_enrollments(request: HttpRequest) -> None:
    """Drop the per-request cache after the view changed enrollments (so the page it renders is current)."""
    for holder, attr in ((request, _CACHE_ATTR), (getattr(request, "user", None), _ENROLLMENTS_ATTR)):
        if hasattr(holder, attr):
            delattr(holder, attr)


def current_enrollment(request: HttpRequest) -> Enrollment | None:
    return learner_enrollments(request).active


class AuthenticatedHttpRequest(HttpRequest):
    """A request that `signed_in` (or `learner_page`) let through: a logged-in user, and django-htmx's details."""

    user: User
    htmx: HtmxDetails


# What a page or a form may be asked with; anything else is 405 (for a logged-in visitor, see `signed_in`).
PAGE = ("GET", "HEAD")
FORM = ("GET", "HEAD", "POST")
ACTION = ("POST",)

# Set on an enrollment whose row in hand is known to match the learner's state now: the one a page request
# (GET or HEAD, which write nothing) read. progress.state.load uses a state kept under such a row instead of
# reading it; after a write of the request's own, the row in hand is behind, and the state is read.
ROW_CURRENT = "_row_current"

type UserView[**P] = Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse]
type LearnerView[**P] = Callable[Concatenate[AuthenticatedHttpRequest, Enrollment, date, P], HttpResponse]
type View[**P] = Callable[Concatenate[HttpRequest, P], HttpResponse]


def signed_in[**P](methods: Sequence[str]) -> Callable[[UserView[P]], View[P]]:
    """Login first, then the method: the one order of checks for every page behind a login.

    So an anonymous visitor is sent to the log-in page whatever the method (a POST-only URL does not tell
    strangers what it accepts), and a logged-in one gets 405 for a method the view does not take.
    """

    def decorate(view: UserView[P]) -> View[P]:
        @wraps(view)
        def typed(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            return view(cast(AuthenticatedHttpRequest, request), *args, **kwargs)  # login_required ran first

        return login_required(require_http_methods(list(methods))(typed))

    return decorate


def learner_page[**P](methods: Sequence[str] = PAGE) -> Callable[[LearnerView[P]], View[P]]:
    """`signed_in`, then `view(request, enrollment, today, ...)` with the learner's active enrollment.

    The enrollment comes from `current_enrollment(request)`, the same cached query the navigation bar
    reads, and `today` is the learner's local date in the enrollment's time zone. A learner without an
    enrollment is sent to /enroll/.
    """

    def decorate(view: LearnerView[P]) -> View[P]:
        @wraps(view)
        def with_enrollment(request: AuthenticatedHttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            enrollment = current_enrollment(request)
            if enrollment is None:
                return redirect("progress:enroll")
            if request.method in PAGE:
                setattr(enrollment, ROW_CURRENT, True)
            return view(request, enrollment, local_today(enrollment.time_zone), *args, **kwargs)

        return signed_in(methods)(with_enrollment)

    return decorate


def owned_day_off(user: User, pk: int) -> DayOff:
    return get_object_or_404(DayOff.objects.select_related("enrollment"), pk=pk, enrollment__user=user)
