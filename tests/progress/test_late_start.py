"""A start date before enrolling: Today says what it means and offers "start from today instead" (the SHIFT
reschedule, undoable), instead of only "N days behind, M overdue"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

from curriculum.models import Plan
from progress.late_start import enrolled_on
from progress.models import Enrollment, ScheduleChange
from progress.services import agenda
from tests.progress.helpers import START, tasks_of, tick

pytestmark = pytest.mark.usefixtures("english_ui")

TODAY = START + timedelta(days=7)  # Monday 9 March: a week after the chosen start, days 1-5 behind


@pytest.fixture
def late(alice: User, plan: Plan, on_local_date) -> Enrollment:
    on_local_date(TODAY)  # enrolled today, with last Monday as the start date
    return Enrollment.objects.create(user=alice, plan=plan, start_date=START, time_zone="Asia/Shanghai")


def test_today_explains_a_past_start_and_offers_today(alice_client: Client, late: Enrollment) -> None:
    html = alice_client.get("/").content.decode()
    panel = html[html.index('id="late-start"') : html.index("</section>", html.index('id="late-start"'))]
    assert "Your plan started on March 2, 2026, before you enrolled" in panel
    assert "5 study days already count as behind" in panel
    # The preview: day 1 today, finishing two weeks later (Friday 20 March) instead of Friday 13 March.
    assert "day 1 moves to today" in panel and "March 20, 2026 instead of March 13, 2026" in panel
    assert 'name="kind" value="shift"' in panel and 'name="finish" value="2026-03-20"' in panel
    assert 'name="next" value="/"' in panel
    assert 'id="behind-notice"' in html  # the figures stay as they are; the panel explains them


def test_one_click_starts_from_today_and_one_more_undoes_it(alice_client: Client, late: Enrollment) -> None:
    response = alice_client.post("/reschedule/", {"kind": "shift", "finish": "2026-03-20", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    change = ScheduleChange.objects.get(enrollment=late)
    assert (change.kind, change.from_day, change.on_date, change.undone_at) == ("shift", 1, TODAY, None)
    facts = agenda(late, TODAY)
    assert facts.day is not None and facts.day.number == 1
    assert facts.overview.days_behind == 0 and facts.overdue_count == 0

    html = alice_client.get("/").content.decode()
    assert 'id="late-start"' not in html and 'id="behind-notice"' not in html and "overdue" not in html
    assert 'id="restarted"' in html and "Day 1 is on March 9, 2026 and you finish on March 20, 2026." in html
    assert "Rescheduled: day 1 is on March 9, 2026" in html  # the reschedule's own message

    response = alice_client.post("/reschedule/undo/", {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    change.refresh_from_db()
    assert change.undone_at is not None
    html = alice_client.get("/").content.decode()
    assert 'id="late-start"' in html and 'id="restarted"' not in html


def test_a_stale_preview_changes_nothing(alice_client: Client, late: Enrollment) -> None:
    alice_client.post("/reschedule/", {"kind": "shift", "finish": "2026-03-27", "next": "/"})
    assert not ScheduleChange.objects.filter(enrollment=late).exists()
    assert "Your schedule changed in the meantime" in alice_client.get("/").content.decode()


def test_no_offer_for_a_start_on_or_after_enrolling(
    alice_client: Client, enrollment: Enrollment, on_local_date
) -> None:
    on_local_date(TODAY)  # the shared fixture was enrolled (created) before its start date: only behind
    Enrollment.objects.filter(pk=enrollment.pk).update(created_at=enrollment.created_at.replace(year=2026, month=1))
    html = alice_client.get("/").content.decode()
    assert 'id="behind-notice"' in html and 'id="late-start"' not in html


def test_no_offer_once_caught_up_or_rescheduled(alice_client: Client, late: Enrollment, plan: Plan) -> None:
    tick(late, *[t for n in range(1, 6) for t in tasks_of(plan, n)])  # done on paper, ticked now
    assert 'id="late-start"' not in alice_client.get("/").content.decode()
    ScheduleChange.objects.create(enrollment=late, kind="catch_up", from_day=5, on_date=TODAY)
    assert 'id="late-start"' not in alice_client.get("/").content.decode()


def test_no_offer_while_paused(alice_client: Client, late: Enrollment) -> None:
    ScheduleChange.objects.create(enrollment=late, kind="pause", on_date=TODAY)
    html = alice_client.get("/").content.decode()
    assert 'id="late-start"' not in html and 'id="paused-notice"' in html


def test_enrolled_on_is_the_learners_local_date(late: Enrollment) -> None:
    assert enrolled_on(late) == TODAY == date(2026, 3, 9)
