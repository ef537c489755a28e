"""An instructor previews the learner pages of a plan for a throw-away enrollment from a chosen start date.

The preview shows the learner's own pages (Today, calendar, a day, the plan) as they stand today for a learner
who started on that date, read-only, links kept inside the preview, and writes nothing anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from curriculum.models import Plan
from tests.factories import make_plan
from tests.progress.cohort_helpers import enroll, make_instructor
from tests.progress.helpers import START, logged_in

pytestmark = pytest.mark.usefixtures("english_ui")

THURSDAY = date(2026, 3, 5)  # day 4 of a plan started on START (Monday 2 March)
BASE = "/instructor/plans/taught/preview/"
PAGES = ["", "calendar/", "calendar/2026/4/", "days/3/", "plan/"]


def page(start: date, rest: str = "") -> str:
    return f"{BASE}{start.isoformat()}/{rest}"


@pytest.fixture
def plan(db: None) -> Plan:
    return make_plan(slug="taught", days=10)


@pytest.fixture
def ida(plan: Plan) -> Client:
    """An instructor of the plan."""
    return logged_in(make_instructor("ida", plan))


@pytest.fixture
def thursday(on_local_date: Callable[..., None]) -> None:
    on_local_date(THURSDAY)


class _Links(HTMLParser):
    """The page's links and the forms with their methods and actions."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.forms: list[tuple[str, str]] = []
        self.enabled_boxes = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        if tag == "form":
            self.forms.append(((a.get("method") or "get").lower(), a.get("action") or ""))
        if tag == "input" and a.get("type") == "checkbox" and "disabled" not in a:
            self.enabled_boxes += 1


def links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- what the instructor sees -------------------------------------------------------------------------------


@pytest.mark.usefixtures("thursday")
def test_each_page_shows_the_day_the_start_date_gives(ida: Client) -> None:
    today = ida.get(page(START)).content.decode()
    assert "Preview as a learner starting March 2, 2026 — nothing is saved" in today
    assert f'<a href="{page(START, "days/4/")}">Day 4</a>' in today
    assert "Topic 4m" in today and "12 tasks overdue" in today  # today's day; days 1-3 are behind it

    calendar = ida.get(page(START, "calendar/")).content.decode()
    today_cell = re.search(r'<td class="[^"]*is-today[^"]*".*?</td>', calendar, re.S)
    assert today_cell and f'href="{page(START, "days/4/")}">Day 4</a>' in today_cell.group()
    assert "March 2026" in calendar

    day = ida.get(page(START, "days/4/")).content.decode()
    assert '<time datetime="2026-03-05">March 5, 2026 · Thursday</time>' in day
    assert "Due today" in text(day) or "Today" in text(day)

    plan_page = ida.get(page(START, "plan/")).content.decode()
    assert f'<a href="{page(START, "days/10/")}">Day 10</a>' in plan_page
    assert 'datetime="2026-03-13"' in plan_page  # day 10: Friday of the second week


@pytest.mark.usefixtures("thursday")
def test_another_start_date_moves_every_day(ida: Client) -> None:
    later = date(2026, 3, 9)  # next Monday: the plan has not started on Thursday
    today = text(ida.get(page(later)).content.decode())
    assert "Your plan starts in 4 days" in today
    assert "Day 1 is on March 9, 2026" in today
    day = ida.get(page(later, "days/4/")).content.decode()
    assert '<time datetime="2026-03-12">' in day
    earlier = date(2026, 3, 3)  # a Tuesday: Thursday is day 3
    assert f'<a href="{page(earlier, "days/3/")}">Day 3</a>' in ida.get(page(earlier)).content.decode()


@pytest.mark.usefixtures("thursday")
@pytest.mark.parametrize("rest", PAGES)
def test_nothing_can_be_written_and_links_stay_in_the_preview(ida: Client, rest: str) -> None:
    response = ida.get(page(START, rest))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1 and html.count('<nav class="site-nav"') == 1
    found = links(html)
    # The language buttons (the instructor's own interface) are the only form that posts.
    assert [f for f in found.forms if f[0] == "post"] == [("post", "/language/")]
    assert found.enabled_boxes == 0
    learner_page = re.compile(r"/(days|calendar|plan|progress|review|reschedule|notes|settings|resources)/")
    learner_pages = [h for h in found.hrefs if learner_page.match(h)]
    assert learner_pages == []
    assert page(START, "") in found.hrefs and page(START, "calendar/") in found.hrefs


@pytest.mark.usefixtures("thursday")
def test_the_calendar_swaps_its_month_grid_inside_the_preview(ida: Client) -> None:
    grid = ida.get(page(START, "calendar/2026/4/"), headers={"HX-Request": "true"}).content.decode()
    assert grid.startswith('\n<section id="month-grid"') or grid.lstrip().startswith('<section id="month-grid"')
    assert f'href="{page(START, "calendar/2026/5/")}"' in grid
    assert f'href="{page(START, "calendar/2026/3/")}"' in grid


@pytest.mark.usefixtures("thursday")
def test_the_start_form_opens_the_preview(ida: Client) -> None:
    form = ida.get(BASE)
    assert form.status_code == 200
    assert 'name="start" value="2026-03-05"' in form.content.decode()  # today by default
    response = ida.get(BASE, {"start": "2026-03-02"})
    assert (response.status_code, response["Location"]) == (302, page(START))


@pytest.mark.usefixtures("thursday")
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "Enter a date such as 2026-03-02."),
        ("2026-02-30", "Enter a date such as 2026-03-02."),
        ("1999-01-01", "Choose a start date within five years of today (2026-03-05)."),
        ("", "This field is required."),
    ],
)
def test_a_bad_start_date_is_named_and_nothing_opens(ida: Client, value: str, message: str) -> None:
    response = ida.get(BASE, {"start": value})
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.usefixtures("thursday")
def test_a_start_date_out_of_range_typed_into_the_address_leads_to_the_form(ida: Client) -> None:
    response = ida.get(page(date(1990, 1, 1)), follow=True)
    assert response.redirect_chain == [(f"{BASE}?start=1990-01-01", 302)]
    assert response.status_code == 400
    assert "Choose a start date within five years" in response.content.decode()
    assert ida.get(f"{BASE}2026-02-30/").status_code == 404
    assert ida.get(page(START, "days/11/")).status_code == 404
    assert ida.get(page(START, "calendar/2026/13/")).status_code == 404


def test_the_preview_is_in_chinese_by_default(plan: Plan, settings: object) -> None:
    settings.LANGUAGE_CODE = "zh-hans"  # type: ignore[attr-defined]
    html = logged_in(make_instructor("ida", plan)).get(page(START)).content.decode()
    assert "以学员身份预览" in html and "不会保存任何内容" in html


# --- who may -------------------------------------------------------------------------------------------------


def visitors(plan: Plan) -> dict[str, Client]:
    other = make_plan(slug="elsewhere", days=3)
    return {
        "assigned": logged_in(make_instructor("ida", plan)),
        "superuser": logged_in(User.objects.create_superuser("root", "root@example.com", "pw")),
        "instructor of another plan": logged_in(make_instructor("ivo", other)),
        "staff, not an instructor": logged_in(User.objects.create_user("stan", "s@example.com", "pw", is_staff=True)),
        "learner of the plan": logged_in(enroll(plan, "lena").user),
    }


EXPECTED = {
    "assigned": 200,
    "superuser": 200,
    "instructor of another plan": 404,
    "staff, not an instructor": 404,
    "learner of the plan": 404,
}


@pytest.mark.usefixtures("thursday")
def test_only_the_plans_instructors_and_superusers_may_preview(plan: Plan) -> None:
    urls = [BASE, *(page(START, rest) for rest in PAGES)]
    answers = {who: {client.get(url).status_code for url in urls} for who, client in visitors(plan).items()}
    assert answers == {who: {status} for who, status in EXPECTED.items()}


@pytest.mark.usefixtures("thursday")
def test_an_instructor_who_may_not_edit_plans_is_refused(plan: Plan) -> None:
    ida = make_instructor("ida", plan)
    ida.groups.get().permissions.remove(Permission.objects.get(codename="change_plan"))
    client = logged_in(ida)
    assert {client.get(url).status_code for url in [BASE, *(page(START, rest) for rest in PAGES)]} == {403}


def test_get_only_and_a_login_first(ida: Client, client: Client) -> None:
    for url in [BASE, *(page(START, rest) for rest in PAGES)]:
        for method in ("POST", "PUT", "DELETE"):
            assert ida.generic(method, url).status_code == 405, (url, method)
        anonymous = client.get(url)
        assert (anonymous.status_code, anonymous["Location"]) == (302, f"/accounts/login/?next={quote(url)}")


def test_the_admin_plan_page_offers_the_preview_to_those_who_may(plan: Plan) -> None:
    change = f"/admin/curriculum/plan/{plan.pk}/change/"
    offered = {who: 'id="plan-preview"' in c.get(change).content.decode() for who, c in visitors(plan).items()}
    assert offered["assigned"] and offered["superuser"]
    assert not offered["instructor of another plan"]  # who may still edit the plan in the admin
    html = logged_in(User.objects.get(username="ida")).get(change).content.decode()
    assert f'action="{BASE}"' in html


# --- nothing is written --------------------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # table names from the schema
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def page_parts() -> Iterator[Callable[[], set[str]]]:
    """The learner page bodies in the cache (progress.page_cache), by key."""
    backend = caches["default"]
    assert isinstance(backend, LocMemCache)  # the test settings' cache, whose keys can be listed
    backend.clear()

    def keys() -> set[str]:
        return {k for k in backend._cache if "page-part:" in k}  # type: ignore[attr-defined]

    yield keys
    backend.clear()


@pytest.mark.usefixtures("thursday")
def test_no_row_is_created_changed_or_deleted_in_any_table(plan: Plan, ida: Client) -> None:
    learner = enroll(plan, "lena")
    ida.get(page(START))  # the session's first request may settle its CSRF secret; not the preview's doing
    before = row_counts()
    with CaptureQueriesContext(connection) as ctx:
        for start in (START, date(2026, 3, 9), date(2025, 3, 3)):
            for rest in PAGES:
                assert ida.get(page(start, rest)).status_code == 200
        assert ida.get(BASE, {"start": "2026-03-04"}).status_code == 302
    writes = [q["sql"] for q in ctx.captured_queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.I)]
    assert writes == []
    assert row_counts() == before
    assert plan.enrollments.get() == learner  # the cohort still has its one real learner


@pytest.mark.usefixtures("thursday")
def test_preview_bodies_stay_out_of_the_learner_page_cache(
    plan: Plan, ida: Client, page_parts: Callable[[], set[str]]
) -> None:
    learner = logged_in(enroll(plan, "lena", start=START).user)
    learner.get("/")
    learner.get("/calendar/")
    learned = page_parts()
    assert learned  # the learner's bodies are cached...
    for rest in PAGES:
        html = ida.get(page(START, rest)).content.decode()
        assert "nothing is saved" in html
    assert page_parts() == learned  # ...the preview's never are
    again = learner.get("/").content.decode()
    assert "nothing is saved" not in again and "/toggle/" in again


# --- query counts --------------------------------------------------------------------------------------------

# The session with the user (one query), the Instructors group check, the plan, the change permission (user
# and group permissions): no learner state is read, and the plan's structure is cached.
QUERIES = {"": 5, "calendar/": 5, "calendar/2026/4/": 5, "days/3/": 5, "plan/": 5}


@pytest.mark.usefixtures("thursday")
@pytest.mark.parametrize("rest", list(QUERIES))
def test_the_same_queries_for_a_short_and_a_long_plan(db: None, rest: str) -> None:
    short, long = make_plan(slug="short", days=10), make_plan(slug="long", days=300)
    ida = logged_in(make_instructor("ida", short, long))
    counts = {}
    for slug in ("short", "long"):
        url = f"/instructor/plans/{slug}/preview/{START.isoformat()}/{rest}"
        ida.get(url)  # builds the plan's structure once per version
        with CaptureQueriesContext(connection) as ctx:
            assert ida.get(url).status_code == 200
        counts[slug] = len(ctx.captured_queries)
    assert counts == {"short": QUERIES[rest], "long": QUERIES[rest]}


@pytest.mark.usefixtures("thursday")
def test_an_unpublished_plan_can_be_previewed_before_learners_see_it(plan: Plan, ida: Client) -> None:
    Plan.objects.filter(pk=plan.pk).update(published=False)
    assert ida.get(page(START)).status_code == 200
