"""A paused plan tells one story on every page and in the reminder logic: no study day today, nothing overdue,
nothing behind, a "paused since ... / resume" panel."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from progress.models import Enrollment, ScheduleChange
from progress.reminders.message import NothingToSend, reminder_for
from progress.schedule import DayKind
from progress.services import agenda
from tests.progress.helpers import START

pytestmark = pytest.mark.usefixtures("english_ui")

PAUSED_ON = START + timedelta(days=3)  # Thursday: days 1 to 3 (12 tasks) were due and none is ticked
TODAY = START + timedelta(days=9)  # Wednesday of the next week, still paused


@pytest.fixture
def paused(enrollment: Enrollment, on_local_date) -> Enrollment:
    on_local_date(TODAY)  # first: changes are ordered by when they were made
    ScheduleChange.objects.create(enrollment=enrollment, kind=ScheduleChange.Kind.PAUSE, on_date=PAUSED_ON)
    return enrollment


def test_the_agenda_has_no_study_day_and_nothing_overdue_while_paused(paused: Enrollment) -> None:
    facts = agenda(paused, TODAY)
    assert facts.kind == DayKind.PAUSED
    assert facts.day is None and facts.review_tasks == []
    assert facts.overdue_count == 0 and facts.overdue_tasks == []
    assert facts.overview.paused and facts.overview.paused_since == PAUSED_ON
    assert facts.overview.days_behind == 0


def test_today_shows_the_paused_panel_and_no_overdue_or_review(alice_client, paused: Enrollment) -> None:
    html = alice_client.get("/").content.decode()
    assert 'id="paused-notice"' in html and "Paused since" in html and 'action="/resume/"' in html
    assert "overdue" not in html.lower()
    assert "Review day" not in html and 'id="day-title"' not in html
    assert 'class="overall-paused"' in html  # the header says paused, not "0 days behind"
    figures = html[html.index('id="summary-title"') :]
    assert re.search(r"<dt>Days behind</dt><dd>Paused</dd>", figures)


def test_the_calendar_marks_the_paused_dates(alice_client, paused: Enrollment) -> None:
    html = alice_client.get("/calendar/2026/3/").content.decode()
    for d in (PAUSED_ON, TODAY):
        cell = re.search(rf'<td class="([^"]*)"[^>]*>\s*<span class="date"><time datetime="{d.isoformat()}"', html)
        assert cell is not None and "kind-paused" in cell.group(1), d
    assert 'class="state paused-mark"' in html
    assert 'id="paused-notice"' in html


def test_the_day_and_progress_pages_say_paused(alice_client, paused: Enrollment) -> None:
    day = alice_client.get("/days/2/").content.decode()
    assert 'id="paused-notice"' in day
    progress = alice_client.get("/progress/").content.decode()
    assert '<dd id="days-behind">Paused</dd>' in progress and 'id="paused-notice"' in progress


def test_no_reminder_while_paused_read_from_the_same_overview(paused: Enrollment) -> None:
    with pytest.raises(NothingToSend, match="paused"):
        reminder_for(paused, TODAY)


def test_after_resuming_the_study_day_and_the_backlog_are_back(alice_client, paused: Enrollment) -> None:
    response = alice_client.post("/resume/", {"next": "/"})
    assert response.status_code == 302
    facts = agenda(paused, TODAY)
    assert facts.kind == DayKind.STUDY and facts.overview.paused_since is None
    assert facts.overdue_count == 12  # days 1-3 are overdue again once the plan runs
    html = alice_client.get("/").content.decode()
    assert 'id="paused-notice"' not in html and "12 tasks overdue" in html


def test_a_pause_before_the_start_is_paused_not_a_countdown(alice_client, enrollment, on_local_date) -> None:
    on_local_date(date(2026, 2, 25))
    ScheduleChange.objects.create(enrollment=enrollment, kind=ScheduleChange.Kind.PAUSE, on_date=date(2026, 2, 24))
    html = alice_client.get("/").content.decode()
    assert 'id="paused-notice"' in html and 'id="countdown-title"' not in html
