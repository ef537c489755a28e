"""Study time: logging minutes on a day page (quick buttons, a corrected total), the timer (start, reload,
stop, the cap), the weekly comparison with the plan on the progress page, and refused input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from time_machine import TimeMachineFixture

from curriculum.models import Day, Plan
from progress.models import Enrollment, LearnerProfile, StudyTime, StudyTimer
from tests.factories import make_plan
from tests.progress.helpers import SHANGHAI, START

pytestmark = pytest.mark.usefixtures("english_ui")

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def on_wednesday(on_local_date: Callable[..., None]) -> None:
    on_local_date(START + timedelta(days=2))  # day 3 of the plan


def minutes(enrollment: Enrollment, number: int) -> int | None:
    row = StudyTime.objects.filter(enrollment=enrollment, day__number=number).first()
    return row.minutes if row else None


# --- logging minutes --------------------------------------------------------------------------------------


def test_quick_buttons_add_up_without_javascript(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post("/days/3/time/", {"add": "30"})
    assert (response.status_code, response["Location"]) == (302, "/days/3/#time")
    alice_client.post("/days/3/time/", {"add": "60"})
    assert minutes(enrollment, 3) == 90
    html = alice_client.get("/days/3/").content.decode()
    assert '<strong id="time-total">1 h 30 min</strong>' in html and "Added 1 h." in html
    assert 'name="minutes" min="0" max="1440" step="1" inputmode="numeric" value="90"' in html


def test_with_htmx_the_card_is_swapped_in_place(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post("/days/3/time/", {"add": "15"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="time"')
    assert '<strong id="time-total">15 min</strong>' in html and "Added 15 min." in html
    assert "<html" not in html


def test_the_total_can_be_corrected_and_cleared(alice_client: Client, enrollment: Enrollment) -> None:
    alice_client.post("/days/3/time/", {"add": "60"})
    alice_client.post("/days/3/time/", {"minutes": "45"})
    assert minutes(enrollment, 3) == 45
    alice_client.post("/days/3/time/", {"minutes": "0"})
    assert minutes(enrollment, 3) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"minutes": "abc"}, "Enter the minutes as a whole number from 0 to 1440."),
        ({"minutes": "-5"}, "Enter the minutes as a whole number from 0 to 1440."),
        ({"minutes": "1441"}, "Enter the minutes as a whole number from 0 to 1440."),
        ({"minutes": "2.5"}, "Enter the minutes as a whole number from 0 to 1440."),
        ({"add": "45"}, "Choose one of the quick buttons or enter the day&#x27;s total minutes."),
        ({}, "Choose one of the quick buttons or enter the day&#x27;s total minutes."),
        ({"add": "15", "minutes": "20"}, "Choose one of the quick buttons or enter the day&#x27;s total minutes."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    alice_client: Client, enrollment: Enrollment, data: dict[str, str], message: str
) -> None:
    alice_client.post("/days/3/time/", {"minutes": "50"})
    response = alice_client.post("/days/3/time/", data)
    assert response.status_code == 400 and message in response.content.decode()
    htmx = alice_client.post("/days/3/time/", data, headers=HTMX)
    assert htmx.status_code == 200 and 'role="alert">' + message in htmx.content.decode()
    assert minutes(enrollment, 3) == 50


def test_a_day_cannot_take_more_than_24_hours(alice_client: Client, enrollment: Enrollment) -> None:
    alice_client.post("/days/3/time/", {"minutes": "1420"})
    response = alice_client.post("/days/3/time/", {"add": "30"})
    assert response.status_code == 400 and "Not added: a day&#x27;s study time is at most 24 hours." in (
        response.content.decode()
    )
    assert minutes(enrollment, 3) == 1420
    alice_client.post("/days/3/time/", {"add": "15"})
    assert minutes(enrollment, 3) == 1435


def test_a_day_beyond_the_plan_is_404(alice_client: Client, enrollment: Enrollment) -> None:
    assert alice_client.post("/days/11/time/", {"add": "15"}).status_code == 404
    assert alice_client.post("/days/11/timer/start/").status_code == 404
    assert not StudyTime.objects.exists() and not StudyTimer.objects.exists()


# --- the timer --------------------------------------------------------------------------------------------


def at(hour: int, minute: int = 0, days: int = 2) -> datetime:
    return datetime.combine(START + timedelta(days=days), time(hour, minute), tzinfo=SHANGHAI)


def test_a_timer_survives_a_reload_and_stopping_adds_its_minutes(
    alice_client: Client, enrollment: Enrollment, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(at(9, 0), tick=False)
    alice_client.post("/days/3/time/", {"add": "15"})
    response = alice_client.post("/days/3/timer/start/")
    assert (response.status_code, response["Location"]) == (302, "/days/3/#time")
    timer = StudyTimer.objects.get()
    assert timer.started_at == at(9, 0) and timer.day.number == 3
    html = Client()  # a new browser: the start time is on the server, not in the page
    html.force_login(enrollment.user)
    page = html.get("/days/3/").content.decode()
    assert "Timer running for this day since" in page and "Stop timer" in page and "Start timer" not in page
    time_machine.move_to(at(10, 40), tick=False)
    stopped = alice_client.post("/days/3/timer/stop/", headers=HTMX).content.decode()
    assert "Timer stopped: 1 h 40 min added." in stopped and '<strong id="time-total">1 h 55 min</strong>' in stopped
    assert minutes(enrollment, 3) == 115 and not StudyTimer.objects.exists()


def test_one_timer_per_learner(alice_client: Client, enrollment: Enrollment) -> None:
    alice_client.post("/days/3/timer/start/")
    started = StudyTimer.objects.get().started_at
    response = alice_client.post("/days/4/timer/start/")
    assert response.status_code == 409 and "A timer is already running: stop it first." in response.content.decode()
    timer = StudyTimer.objects.get()
    assert (timer.day.number, timer.started_at) == (3, started)
    # Day 4's page names the day the timer runs for and can stop it.
    page = alice_client.get("/days/4/").content.decode()
    assert 'Timer running for <a href="/days/3/#time">day 3</a> since' in page


def test_stopping_from_another_day_adds_to_the_day_it_was_started_for(
    alice_client: Client, enrollment: Enrollment, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(at(23, 30), tick=False)
    alice_client.post("/days/3/timer/start/")
    time_machine.move_to(at(0, 20, days=3), tick=False)  # past midnight: the next local date
    alice_client.post("/days/4/timer/stop/")
    assert (minutes(enrollment, 3), minutes(enrollment, 4)) == (50, None)


def test_a_forgotten_timer_adds_at_most_eight_hours_and_says_so(
    alice_client: Client, enrollment: Enrollment, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(at(9, 0), tick=False)
    alice_client.post("/days/3/timer/start/")
    time_machine.move_to(at(11, 0, days=5), tick=False)  # three days later
    response = alice_client.post("/days/3/timer/stop/", follow=True)
    assert "The timer ran for 74 h: 8 h added (at most 8 h per timer and 24 hours per day)." in (
        response.content.decode()
    )
    assert minutes(enrollment, 3) == 8 * 60


def test_the_timer_never_takes_a_day_past_24_hours(
    alice_client: Client, enrollment: Enrollment, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(at(9, 0), tick=False)
    alice_client.post("/days/3/time/", {"minutes": "1400"})
    alice_client.post("/days/3/timer/start/")
    time_machine.move_to(at(11, 0), tick=False)
    alice_client.post("/days/3/timer/stop/")
    assert minutes(enrollment, 3) == 1440


def test_stopping_without_a_timer_or_within_a_minute(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post("/days/3/timer/stop/")
    assert response.status_code == 409 and "No timer is running." in response.content.decode()
    alice_client.post("/days/3/timer/start/")  # the clock is frozen: no time passes
    response = alice_client.post("/days/3/timer/stop/", follow=True)
    assert "Timer stopped after less than a minute: nothing added." in response.content.decode()
    assert not StudyTime.objects.exists() and not StudyTimer.objects.exists()


def test_a_timer_for_another_plan_is_shown_and_stops_into_that_plan(
    alice_client: Client, enrollment: Enrollment, time_machine: TimeMachineFixture
) -> None:
    other = Enrollment.objects.create(user=enrollment.user, plan=make_plan(slug="other", days=5), start_date=START)
    LearnerProfile.objects.update_or_create(user=enrollment.user, defaults={"active_enrollment": enrollment})
    time_machine.move_to(at(9, 0), tick=False)
    StudyTimer.objects.create(
        user=enrollment.user, enrollment=other, day=Day.objects.get(plan=other.plan, number=2), started_at=at(9, 0)
    )
    page = alice_client.get("/days/3/").content.decode()  # alice's active enrollment is the 10-day plan
    assert "Timer running for a day of your other plan since" in page
    time_machine.move_to(at(9, 30), tick=False)
    response = alice_client.post("/days/3/timer/stop/", follow=True)
    assert "Timer stopped: 30 min added to the day of your other plan it was started for." in (
        response.content.decode()
    )
    assert minutes(other, 2) == 30 and minutes(enrollment, 2) is None


# --- the progress page ------------------------------------------------------------------------------------


def test_progress_compares_each_begun_week_with_the_plan(
    alice_client: Client, enrollment: Enrollment, plan: Plan, on_local_date: Callable[..., None]
) -> None:
    on_local_date(START + timedelta(days=8))  # Tuesday of week 2
    for number, logged in ((1, 240), (2, 200), (3, 180), (4, 200), (5, 190), (6, 60)):
        StudyTime.objects.create(enrollment=enrollment, day=Day.objects.get(plan=plan, number=number), minutes=logged)
    html = alice_client.get("/progress/").content.decode()
    table = html.split('<table class="time-table">')[1].split("</table>")[0]
    rows = table.split("<tr")[2:]
    assert len(rows) == 2 and "Week 2" in rows[0] and "Week 1" in rows[1]  # newest first
    assert 'value="1010"' in rows[1] and "16 h 50 min" in rows[1] and "as planned" in rows[1]
    assert "15 h–20 h (5 study days)" in rows[1]
    assert 'value="60"' in rows[0] and "1 h" in rows[0] and "below the plan" in rows[0]
    assert "The plan expects 3–4 hours per study day." in html


def test_the_plans_hours_come_from_the_plan_and_a_change_shows_at_once(
    alice_client: Client, enrollment: Enrollment, plan: Plan
) -> None:
    assert "15 h–20 h (5 study days)" in alice_client.get("/progress/").content.decode()
    assert "the plan expects 3–4 hours per study day" in alice_client.get("/days/3/").content.decode()
    Plan.objects.filter(pk=plan.pk).update(study_hours_min=2, study_hours_max=5)  # no version touch: the key has it
    assert "10 h–25 h (5 study days)" in alice_client.get("/progress/").content.decode()
    assert "the plan expects 2–5 hours per study day" in alice_client.get("/days/3/").content.decode()


def test_logged_time_and_the_timer_show_at_once_on_cached_pages(alice_client: Client, enrollment: Enrollment) -> None:
    for url in ("/days/3/", "/progress/"):
        alice_client.get(url)  # cached
    StudyTime.objects.create(enrollment=enrollment, day=enrollment.plan.days.get(number=3), minutes=75)
    assert '<strong id="time-total">1 h 15 min</strong>' in alice_client.get("/days/3/").content.decode()
    assert 'value="75"' in alice_client.get("/progress/").content.decode()
    StudyTimer.objects.create(
        user=enrollment.user, enrollment=enrollment, day=enrollment.plan.days.get(number=3), started_at=timezone.now()
    )
    assert "Stop timer" in alice_client.get("/days/3/").content.decode()


def test_the_notes_export_holds_study_time(alice_client: Client, enrollment: Enrollment) -> None:
    alice_client.post("/days/3/time/", {"minutes": "100"})
    alice_client.post("/days/5/time/", {"add": "30"})
    text = alice_client.get("/notes/export.md").content.decode()
    assert "Study time in total: 2 h 10 min" in text
    assert "## Day 3\n\nStudy time: 1 h 40 min\n" in text and "## Day 5\n\nStudy time: 30 min\n" in text


def test_the_study_time_card_is_in_chinese(client: Client, enrollment: Enrollment, settings) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(enrollment.user)
    client.post("/days/3/time/", {"minutes": "90"})
    html = client.get("/days/3/").content.decode()
    assert "学习时间" in html and "1 小时 30 分钟" in html and "开始计时" in html
