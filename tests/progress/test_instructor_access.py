"""Who reaches the instructor pages: superusers every plan's, instructors their own plans', nobody else anything.

Every URL in progress.instructor_urls (and the preview's, progress.preview_urls) is in METHODS below, and every
one is tried by every kind of visitor.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, reverse

from curriculum.models import Plan, Task
from progress.instructor_urls import urlpatterns
from progress.models import Enrollment, TaskCompletion
from progress.preview import default_today
from tests.factories import make_plan
from tests.progress.cohort_helpers import enroll, make_instructor
from tests.progress.helpers import START, logged_in

PAGE, FORM, ACTION = {"GET", "HEAD"}, {"GET", "HEAD", "POST"}, {"POST"}
METHODS = {
    "index": PAGE,
    "cohort": PAGE,
    "cohort_csv": PAGE,
    "days": PAGE,
    "learner": PAGE,
    "nudge": FORM,
    "preview:start": PAGE,
    "preview:today": PAGE,
    "preview:calendar": PAGE,
    "preview:calendar_month": PAGE,
    "preview:day": PAGE,
    "preview:plan": PAGE,
}
PLAN_URLS = set(METHODS) - {"index"}


@pytest.fixture
def plan(db: None) -> Plan:
    return make_plan(slug="taught", days=5)


@pytest.fixture
def learner(plan: Plan) -> Enrollment:
    return enroll(plan, "lena")


def urls(plan: Plan, learner: Enrollment) -> dict[str, str]:
    """Every instructor URL by name, those of included URL confs (the preview's) as "namespace:name"."""
    samples = {"slug": plan.slug, "pk": learner.pk, "start": default_today(), "number": 1, "year": 2026, "month": 3}
    found: dict[str, str] = {}

    def walk(patterns: Sequence[object], prefix: str, outer: set[str]) -> None:
        for p in patterns:
            assert isinstance(p, URLPattern | URLResolver)
            names = outer | set(p.pattern.converters)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{prefix}{p.namespace}:", names)
            else:
                found[f"{prefix}{p.name}"] = reverse(
                    f"instructor:{prefix}{p.name}", kwargs={k: samples[k] for k in names}
                )

    walk(urlpatterns, "", set())
    return found


def test_every_instructor_url_is_in_the_table(plan: Plan, learner: Enrollment) -> None:
    assert set(urls(plan, learner)) == set(METHODS)


def staff_without_group() -> User:
    return User.objects.create_user("stan", "stan@example.com", "pw", is_staff=True)


def visitors(plan: Plan) -> dict[str, Client]:
    other = make_plan(slug="elsewhere", days=3)
    return {
        "assigned": logged_in(make_instructor("ida", plan)),
        "unassigned": logged_in(make_instructor("ivo", other)),
        "superuser": logged_in(User.objects.create_superuser("root", "root@example.com", "pw")),
        "staff, not an instructor": logged_in(staff_without_group()),
        "learner of the plan": logged_in(Enrollment.objects.get(plan=plan).user),
        "assigned but no longer staff": logged_in(_demoted(plan)),
    }


def _demoted(plan: Plan) -> User:
    user = make_instructor("dora", plan)
    User.objects.filter(pk=user.pk).update(is_staff=False)
    return User.objects.get(pk=user.pk)


# visitor -> the URL names answered with 200 (every other one is 404).
ALLOWED = {
    "assigned": set(METHODS),
    "superuser": set(METHODS),
    "unassigned": {"index"},  # which lists only the instructor's own plans
    "staff, not an instructor": set(),
    "learner of the plan": set(),
    "assigned but no longer staff": set(),
}


def test_the_permission_matrix(plan: Plan, learner: Enrollment) -> None:
    table = urls(plan, learner)
    answers = {
        who: {name: client.get(url).status_code for name, url in table.items() if "GET" in METHODS[name]}
        for who, client in visitors(plan).items()
    }
    expected = {who: {n: 200 if n in ALLOWED[who] else 404 for n in METHODS if "GET" in METHODS[n]} for who in ALLOWED}
    assert answers == expected


def test_anonymous_visitors_go_to_the_login_page(client: Client, plan: Plan, learner: Enrollment) -> None:
    for name, url in urls(plan, learner).items():
        for method in ("GET", "POST"):
            response = client.generic(method, url)
            assert (response.status_code, response.get("Location")) == (302, f"/accounts/login/?next={quote(url)}"), (
                name,
                method,
            )


def test_a_wrong_method_is_405(plan: Plan, learner: Enrollment) -> None:
    ida = logged_in(make_instructor("ida", plan))
    for name, url in urls(plan, learner).items():
        for method in {"GET", "POST", "PUT", "DELETE"} - METHODS[name]:
            assert ida.generic(method, url).status_code == 405, (name, method)


def test_the_index_lists_only_the_instructors_plans(plan: Plan) -> None:
    make_plan(slug="elsewhere", days=3)
    html = logged_in(make_instructor("ida", plan)).get("/instructor/").content.decode()
    assert "/instructor/plans/taught/" in html
    assert "/instructor/plans/elsewhere/" not in html


def test_an_unknown_plan_is_404_even_for_superusers(db: None) -> None:
    root = logged_in(User.objects.create_superuser("root", "root@example.com", "pw"))
    assert root.get("/instructor/plans/nope/").status_code == 404


# --- query counts ------------------------------------------------------------------------------------------


def crowd(plan: Plan, n: int) -> None:
    """`n` learners on `plan`, each with a tick and a reminder, in a handful of queries."""
    users = User.objects.bulk_create(User(username=f"l{n}-{i}", email=f"l{i}@example.com") for i in range(n))
    enrollments = Enrollment.objects.bulk_create(Enrollment(user=u, plan=plan, start_date=START) for u in users)
    task = Task.objects.filter(session__day__plan=plan).first()
    TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=e, task=task) for e in enrollments)


def queries(client: Client, url: str) -> int:
    client.get(url)  # the plan's structure is built once per plan version, then cached (progress.structure)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# The session with the user (and the instructor's own enrollments, which the navigation reads) in one query,
# the Instructors group check, the plan, then the cohort's four (ticks, enrollments with their schedule changes
# and days off).
PAGES = {"": 7, "?behind=1&sort=name&page=2": 7, "days/": 7, "cohort.csv": 7}


@pytest.mark.parametrize("page", list(PAGES))
def test_the_same_queries_for_ten_and_a_thousand_learners(db: None, page: str) -> None:
    small, large = make_plan(slug="small", days=20), make_plan(slug="large", days=20)
    crowd(small, 10)
    crowd(large, 1000)
    ida = logged_in(make_instructor("ida", small, large))
    counts = {plan: queries(ida, f"/instructor/plans/{plan}/{page}") for plan in ("small", "large")}
    assert counts == {"small": PAGES[page], "large": PAGES[page]}
