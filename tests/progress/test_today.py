from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

from curriculum.models import Plan
from progress.models import Enrollment, LearnerProfile, ScheduleChange
from progress.schedule import DayKind
from progress.services import agenda
from tests.progress.helpers import START, tasks_of, tick, tick_days

# Behaviour tests read the English source strings (the UI is Chinese by default).
pytestmark = pytest.mark.usefixtures("english_ui")


def test_anonymous_visitor_is_sent_to_log_in(client: Client, db: None) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_learner_without_enrollment_is_sent_to_enroll(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/enroll/"


def test_it_shows_todays_plan_day_with_its_tasks(alice_client, enrollment, plan, on_local_date) -> None:
    on_local_date(START + timedelta(days=2))  # Wednesday: day 3
    response = alice_client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert 'href="/days/3/"' in html
    assert "Topic 3m" in html and "Topic 3a" in html
    for task in tasks_of(plan, 3):
        assert f'<label for="task-{task.pk}-box">{task.text}</label>' in html
        assert f'hx-post="/days/3/tasks/{task.pk}/toggle/"' in html
    assert "Topic 4m" not in html


def test_it_shows_ticked_tasks_checked(alice_client, enrollment, plan, on_local_date) -> None:
    on_local_date(START)
    first, second, *_ = tasks_of(plan, 1)
    tick(enrollment, first)
    html = alice_client.get("/").content.decode()
    assert f'id="task-{first.pk}-box" checked' in html.replace("\n", "").replace("  ", "")
    assert f'id="task-{second.pk}-box" checked' not in html.replace("\n", "").replace("  ", "")
    assert "1 of 4 tasks of this day done" in html


def test_it_lists_overdue_tasks_linking_to_their_days(alice_client, enrollment, plan, on_local_date) -> None:
    on_local_date(START + timedelta(days=3))  # Thursday: day 4; days 1-3 are past
    tick_days(enrollment, 1)
    html = alice_client.get("/").content.decode()
    assert "8 tasks overdue" in html
    # The first few are listed with links to their days; day 1 (all done) is not among them.
    assert 'class="task-day" href="/days/2/"' in html
    assert 'class="task-day" href="/days/1/"' not in html
    assert html.count('class="task-day"') == 5


def test_it_lists_the_weeks_unfinished_tasks_on_a_review_day(alice_client, enrollment, plan, on_local_date) -> None:
    on_local_date(START + timedelta(days=5))  # Saturday after week 1
    tick_days(enrollment, 1, 2, 3, 4)
    open_tasks = tasks_of(plan, 5)
    tick(enrollment, open_tasks[0])
    html = alice_client.get("/").content.decode()
    assert 'id="review-title">Review day<' in html  # this module reads the English UI (english_ui)
    for task in open_tasks[1:]:
        assert f'<label for="task-{task.pk}-box">{task.text}</label>' in html
    assert f'<label for="task-{open_tasks[0].pk}-box">' not in html
    assert 'id="overdue-title"' not in html  # this week's leftovers are listed once, as the week's


def test_a_review_day_with_the_week_done_says_so(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START + timedelta(days=6))  # Sunday
    tick_days(enrollment, 1, 2, 3, 4, 5)
    html = alice_client.get("/").content.decode()
    assert "this week&#x27;s tasks are all done" in html or "this week's tasks are all done" in html


def test_before_the_start_it_counts_down_and_previews_day_one(alice_client, enrollment, plan, on_local_date) -> None:
    on_local_date(START - timedelta(days=3))
    html = alice_client.get("/").content.decode()
    assert "Your plan starts in 3 days" in html
    assert "Topic 1m" in html
    assert all(task.text in html for task in tasks_of(plan, 1))


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Your plan starts tomorrow"), ("zh-hans", "你的计划明天开始")]
)
def test_the_eve_of_the_start_says_tomorrow_in_every_language(
    alice_client, alice, enrollment, on_local_date, language, expected
) -> None:
    # Chinese has one plural form: a count-based message would lose the "tomorrow" wording.
    LearnerProfile.objects.update_or_create(user=alice, defaults={"language": language})
    alice_client.force_login(alice)
    on_local_date(START - timedelta(days=1))
    assert expected in alice_client.get("/").content.decode()


def test_after_the_end_it_congratulates(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START + timedelta(days=30))  # the 10-day plan ended on day 12
    tick_days(enrollment, *range(1, 11))
    html = alice_client.get("/").content.decode()
    assert "Congratulations, you finished the plan!" in html
    assert "40 of 40 tasks done (100%)" in html


def test_it_shows_overall_progress_and_days_behind(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START + timedelta(days=2))  # day 3; days 1 and 2 were due before today
    tick_days(enrollment, 1)
    html = alice_client.get("/").content.decode()
    assert 'id="overall-counter"' in html
    assert "4 of 40 tasks done (10%)" in html
    assert "1 day behind" in html


def test_a_learner_is_not_behind_in_the_morning_of_a_study_day(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START + timedelta(days=2), time(8, 0))  # day 3, nothing of it ticked yet
    tick_days(enrollment, 1, 2)
    html = alice_client.get("/").content.decode()
    assert agenda(enrollment, START + timedelta(days=2)).overview.days_behind == 0
    assert 'class="overall-behind"' not in html
    assert 'id="behind-notice"' not in html


def test_a_learner_behind_gets_a_link_to_reschedule(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START + timedelta(days=2))  # day 3; days 1 and 2 open
    html = alice_client.get("/").content.decode()
    notice = html[html.index('id="behind-notice"') :]
    assert "2 days behind" in notice[: notice.index("</p>")]
    assert 'href="/reschedule/"' in notice[: notice.index("</p>")]


def test_it_uses_the_learners_local_date(alice_client, enrollment, time_machine) -> None:
    # 18:00 UTC on Tuesday is 02:00 on Wednesday in Shanghai: the learner sees Wednesday's day 3.
    time_machine.move_to(datetime.combine(START + timedelta(days=1), time(18, 0), tzinfo=UTC), tick=False)
    html = alice_client.get("/").content.decode()
    assert 'href="/days/3/"' in html and "Topic 3m" in html


@pytest.mark.parametrize(
    ("offset", "kind"),
    [(-1, DayKind.BEFORE_START), (0, DayKind.STUDY), (5, DayKind.REVIEW), (30, DayKind.AFTER_END)],
)
def test_agenda_names_the_kind_of_day(enrollment: Enrollment, offset: int, kind: DayKind) -> None:
    assert agenda(enrollment, START + timedelta(days=offset)).kind == kind


def test_agenda_counts_every_overdue_task_but_lists_a_few(enrollment: Enrollment, plan: Plan) -> None:
    result = agenda(enrollment, date(2026, 3, 12))  # Thursday of week 2: day 9, days 1-8 past
    assert result.overdue_count == 8 * 4
    assert len(result.overdue_tasks) == 5
    assert [t.day_number for t in result.overdue_tasks] == [1, 1, 1, 1, 2]
    assert result.day is not None and result.day.number == 9


@pytest.mark.parametrize(
    "url", ["/", "/calendar/", "/calendar/2026/3/", "/days/1/", "/days/10/", "/plan/", "/progress/"]
)
def test_every_page_has_one_h1_and_nothing_inline(alice_client, enrollment, on_local_date, url: str) -> None:
    on_local_date(START + timedelta(days=5))
    html = alice_client.get(url).content.decode()
    assert html.count("<h1") == 1
    # Ready for a strict Content-Security-Policy: no inline scripts, handlers or styles.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "style=" not in html and "<style" not in html


def test_a_paused_learner_sees_resume_instead_of_behind(alice_client, enrollment, on_local_date) -> None:
    on_local_date(START + timedelta(days=2))  # day 3; days 1 and 2 open
    ScheduleChange.objects.create(enrollment=enrollment, kind=ScheduleChange.Kind.PAUSE, on_date=START)
    html = alice_client.get("/").content.decode()
    assert 'id="paused-notice"' in html and 'action="/resume/"' in html
    assert 'id="behind-notice"' not in html and 'class="overall-behind"' not in html
