"""The cohort page and the drop-off chart show, for a plan of learners in every state, the numbers worked out
by hand in this file (see cohort_helpers.fill_plan for who did what)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from progress.models import DayNote, Enrollment
from tests.progress.cohort_helpers import SATURDAY, Crowd, cells, fill_plan, make_instructor
from tests.progress.helpers import logged_in

pytestmark = pytest.mark.usefixtures("english_ui")

# name -> (percent, days behind, study day, streak, last activity, state, reminders), on SATURDAY.
EXPECTED = {
    "finisher": ("100%", "0", "5", "5", "2026-03-05 (2 days ago)", "finished", "on"),
    "ontrack": ("50%", "0", "5", "5", "2026-03-06 (1 day ago)", "studying", "on"),
    "behind": ("12%", "4", "5", "0", "2026-03-07 (0 days ago)", "studying", "on"),  # 5 of 40 tasks
    "paused": ("10%", "0", "2", "0", "2026-03-02 (5 days ago)", "paused", "on"),
    "never": ("0%", "5", "5", "0", "never", "studying", "on"),
    "future": ("0%", "0", "0", "0", "never", "studying", "on"),
    "quiet": ("30%", "2", "5", "0", "2026-03-04 (3 days ago)", "studying", "off · last: failed"),
}
COLUMNS = ("percent", "behind", "day", "streak", "activity", "state", "reminders")

# day -> (reached, finished, stuck, stopped after it), of 7 learners.
DAYS = {
    1: (5, 5, 1, 1),  # never is stuck on day 1; paused stopped after it
    2: (4, 3, 1, 1),  # behind: one task of day 2, stuck there
    3: (3, 3, 0, 1),  # quiet stopped after day 3...
    4: (2, 2, 1, 0),  # ...and is stuck on day 4
    5: (2, 2, 0, 1),  # ontrack
    6: (1, 1, 0, 0),
    7: (1, 1, 0, 0),
    8: (1, 1, 0, 0),
    9: (1, 1, 0, 0),
    10: (1, 1, 0, 0),  # the last day loses nobody
}


@pytest.fixture
def crowd(db: None, on_local_date: Callable[..., None]) -> Crowd:
    on_local_date(SATURDAY)
    return fill_plan()


@pytest.fixture
def ines(crowd: Crowd) -> User:
    return make_instructor("ines-cohort", crowd.plan)


def page(user: User, url: str) -> str:
    response = logged_in(user).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_every_number_on_the_cohort_page(crowd: Crowd, ines: User) -> None:
    rows = cells(page(ines, "/instructor/plans/cohort-plan/"))
    assert {name: tuple(row[c] for c in COLUMNS) for name, row in rows.items()} == EXPECTED


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("behind=3", ["never", "behind"]),
        ("inactive=3", ["never", "quiet", "paused"]),
        ("paused=on", ["paused"]),
        ("finished=on", ["finisher"]),
        ("behind=1&inactive=3", ["never", "quiet"]),
        ("sort=percent", ["future", "never", "paused", "behind", "quiet", "ontrack", "finisher"]),
        ("sort=-streak", ["finisher", "ontrack", "behind", "future", "never", "paused", "quiet"]),
        ("sort=activity", ["future", "never", "paused", "quiet", "finisher", "ontrack", "behind"]),
        ("", ["never", "behind", "quiet", "finisher", "future", "ontrack", "paused"]),  # most behind first
    ],
)
def test_filters_and_sorting(crowd: Crowd, ines: User, query: str, names: list[str]) -> None:
    assert list(cells(page(ines, f"/instructor/plans/cohort-plan/?{query}"))) == names


@pytest.mark.parametrize("query", ["behind=-1", "behind=lots", "inactive=99999", "sort=password", "page=x", "page=99"])
def test_bad_filters_are_refused_with_a_message_and_show_everyone(crowd: Crowd, ines: User, query: str) -> None:
    html = page(ines, f"/instructor/plans/cohort-plan/?{query}")
    assert len(cells(html)) == 7
    if not query.startswith("page"):
        assert "Some filters were not understood" in html


def test_htmx_gets_only_the_table(crowd: Crowd, ines: User) -> None:
    response = logged_in(ines).get("/instructor/plans/cohort-plan/?behind=3", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="cohort-table"')
    assert list(cells(html)) == ["never", "behind"]


def test_pages_of_fifty(ines: User, crowd: Crowd) -> None:
    from tests.progress.cohort_helpers import enroll

    for i in range(50):
        enroll(crowd.plan, f"extra{i:02}")
    first = page(ines, "/instructor/plans/cohort-plan/?sort=name")
    second = page(ines, "/instructor/plans/cohort-plan/?sort=name&page=2")
    assert (len(cells(first)), len(cells(second))) == (50, 7)
    assert "Page 2 of 2" in second


def test_every_number_of_the_chart_and_its_table(crowd: Crowd, ines: User) -> None:
    html = page(ines, "/instructor/plans/cohort-plan/days/")
    table = cells(html, "data-day")
    columns = ("reached", "finished", "stuck", "lost")
    shown = {int(d): tuple(int(row[c].split()[0]) for c in columns) for d, row in table.items()}
    assert shown == DAYS
    assert table["1"]["reached"] == "5 (71%)"  # of 7 learners
    for day, (reached, finished, stuck, _lost) in DAYS.items():
        bar = re.search(rf'<g class="day-bar" data-day="{day}">(.*?)</g>', html, re.S)
        assert bar is not None
        heights = dict(re.findall(r'class="bar-(\w+)" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', bar[1]))
        # 160 px is the whole cohort above the axis, 60 px below it.
        assert heights == {
            "reached": str(round(160 * reached / 7, 1)),
            "finished": str(round(160 * finished / 7, 1)),
            "stuck": str(round(60 * stuck / 7, 1)),
        }


def test_the_chart_has_week_and_phase_bands_and_says_what_it_shows(crowd: Crowd, ines: User) -> None:
    html = page(ines, "/instructor/plans/cohort-plan/days/")
    weeks = re.findall(r'<rect class="week-band[^"]*" x="(\d+)" y="20" width="(\d+)"', html)
    assert weeks == [("36", "60"), ("96", "60")]
    assert len(re.findall(r'<rect class="phase-band', html)) == 2
    assert 'role="img" aria-labelledby="chart-svg-title chart-svg-desc"' in html


def test_the_largest_drops_are_listed_with_their_tasks_and_admin_links(crowd: Crowd, ines: User) -> None:
    html = page(ines, "/instructor/plans/cohort-plan/days/")
    drops = html.split('<ol class="drops">')[1].split("</ol>")[0]
    assert re.findall(r'<li data-day="(\d+)">', drops) == ["1", "2", "3", "5"]  # one learner each, in plan order
    assert "Task 1 of Topic 1m" in drops
    day_1 = crowd.plan.days.get(number=1)
    assert f'href="/admin/curriculum/day/{day_1.pk}/change/"' in drops


def test_an_empty_cohort_says_so(db: None, ines: User) -> None:
    from tests.factories import make_plan

    empty = make_plan(slug="empty")
    empty.instructors.add(ines)
    assert "Nobody is enrolled" in page(ines, "/instructor/plans/empty/days/")
    assert "No learner matches" in page(ines, "/instructor/plans/empty/")


def test_the_csv_export_streams_the_filtered_table_with_a_bom(crowd: Crowd, ines: User) -> None:
    User.objects.filter(username="never").update(first_name="张伟")
    response = logged_in(ines).get("/instructor/plans/cohort-plan/cohort.csv?behind=3")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cohort-cohort-plan.csv"'
    body = response.getvalue()  # the test client joins the streamed chunks
    assert body.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert lines[0][:6] == ["Learner", "Username", "Start date", "Done (%)", "Days behind", "Study day"]
    assert lines[1:] == [
        ["张伟", "never", "2026-03-02", "0", "5", "5", "0", "", "0", "0", "1", ""],
        ["Behind", "behind", "2026-03-02", "12", "4", "5", "0", "2026-03-07T01:00:00+00:00", "0", "0", "1", ""],
    ]


def test_the_plan_admin_links_to_the_cohort_and_only_superusers_choose_instructors(crowd: Crowd, ines: User) -> None:
    url = f"/admin/curriculum/plan/{crowd.plan.pk}/change/"
    html = page(ines, url)
    assert 'href="/instructor/plans/cohort-plan/"' in html
    assert 'name="instructors"' not in html  # shown, not editable
    root = User.objects.create_superuser("root", "root@example.com", "pw")
    assert 'name="instructors"' in page(root, url)
    assert 'href="/instructor/"' in page(ines, "/admin/")


def test_the_learner_page_is_read_only_and_shows_only_shared_notes(crowd: Crowd, ines: User) -> None:
    behind = crowd.by_name["behind"]
    DayNote.objects.create(enrollment=behind, day=crowd.plan.days.get(number=1), body="shared secret", shared=True)
    url = f"/instructor/plans/cohort-plan/learners/{behind.pk}/"
    html = page(ines, url)
    assert 'id="learner-behind">4<' in html
    assert "shared secret" in html
    assert "hard" not in html  # the day 2 note is private
    assert "<form" not in html.split('id="main"')[1].split("</main>")[0]  # nothing to change here
    assert re.findall(r'data-day="(\d+)".*?data-col="ticks">(\d+/\d+)<', html, re.S)[:3] == [
        ("1", "4/4"),
        ("2", "1/4"),
        ("3", "0/4"),
    ]
    Enrollment.objects.filter(pk=behind.pk).update(share_notes=True)
    assert "hard" in page(ines, url)


def test_a_learner_of_another_plan_is_404(crowd: Crowd, ines: User) -> None:
    stranger = Enrollment.objects.get(user__username="stranger")
    assert logged_in(ines).get(f"/instructor/plans/cohort-plan/learners/{stranger.pk}/").status_code == 404
