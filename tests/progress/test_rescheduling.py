"""Reschedule choices, undo and pause/resume: services and their views (days off are in test_days_off.py).

The learner in most tests started the 20-day plan on Monday 2 March 2026 and has ticked nothing; on Saturday
7 March (their local date) days 1-5 are overdue: five days behind.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curriculum.models import Task
from progress import rescheduling
from progress.models import DayOff, Enrollment, ScheduleChange, TaskCompletion
from progress.services import overview
from tests.concurrency import run_at_once
from tests.factories import make_plan

# Behaviour tests read the English source strings (the UI is Chinese by default).
pytestmark = pytest.mark.usefixtures("english_ui")

MON = date(2026, 3, 2)
SAT = date(2026, 3, 7)


def d(day: int, month: int = 3) -> date:
    return date(2026, month, day)


@pytest.fixture
def enrollment(alice: User) -> Enrollment:
    return Enrollment.objects.create(user=alice, plan=make_plan(days=20), start_date=MON)


def finish(enrollment: Enrollment, today: date = SAT) -> date | None:
    enrollment.refresh_from_db()
    return overview(enrollment, today).schedule.last_date


def options(enrollment: Enrollment, today: date) -> list[rescheduling.Option]:
    """The reschedule choices offered on `today`, as the reschedule page builds them."""
    return rescheduling.options_from(overview(enrollment, today))


def option(enrollment: Enrollment, kind: str) -> rescheduling.Option:
    return next(o for o in options(enrollment, SAT) if o.kind == kind)


# --- services ---------------------------------------------------------------------------------------------


def test_a_learner_five_days_behind_gets_two_choices(enrollment: Enrollment) -> None:
    assert overview(enrollment, SAT).days_behind == 5
    kinds = [o.kind for o in options(enrollment, SAT)]
    assert kinds == [ScheduleChange.Kind.SHIFT, ScheduleChange.Kind.CATCH_UP]


def test_a_learner_on_track_gets_no_choices(enrollment: Enrollment) -> None:
    assert options(enrollment, MON) == []


def test_shift_preview_equals_the_result(enrollment: Enrollment) -> None:
    preview = option(enrollment, ScheduleChange.Kind.SHIFT)
    assert (preview.first_date, preview.finish, preview.current_finish) == (d(9), d(3, 4), d(27))

    rescheduling.apply(enrollment, ScheduleChange.Kind.SHIFT, SAT)

    schedule = overview(enrollment, SAT).schedule
    assert schedule.date_of(1) == preview.first_date
    assert schedule.last_date == preview.finish
    change = enrollment.schedule_changes.get()
    assert (change.kind, change.from_day, change.on_date) == ("shift", 1, SAT)


def test_catch_up_preview_equals_the_result(enrollment: Enrollment) -> None:
    preview = option(enrollment, ScheduleChange.Kind.CATCH_UP)
    # Day 1 on Saturday itself; the weekends absorb the backlog, so the finish date stays.
    assert (preview.first_date, preview.finish) == (SAT, d(27))

    rescheduling.apply(enrollment, ScheduleChange.Kind.CATCH_UP, SAT)

    schedule = overview(enrollment, SAT).schedule
    assert schedule.date_of(1) == preview.first_date == SAT
    assert schedule.date_of(2) == d(8)  # Sunday
    assert schedule.last_date == preview.finish
    assert overview(enrollment, SAT).days_behind == 0  # day 1 is today's: due, but not behind yet


def test_reschedule_starts_from_the_first_unfinished_day(enrollment: Enrollment) -> None:
    day1_tasks = Task.objects.filter(session__day__plan=enrollment.plan, session__day__number__in=[1, 2])
    TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=enrollment, task=t) for t in day1_tasks)
    preview = option(enrollment, ScheduleChange.Kind.SHIFT)
    assert preview.first_day == 3
    rescheduling.apply(enrollment, ScheduleChange.Kind.SHIFT, SAT)
    schedule = overview(enrollment, SAT).schedule
    assert (schedule.date_of(2), schedule.date_of(3)) == (d(3), d(9))


def test_a_reschedule_never_changes_completions(enrollment: Enrollment) -> None:
    task = Task.objects.filter(session__day__plan=enrollment.plan, session__day__number=2).first()
    assert task is not None
    done = TaskCompletion.objects.create(enrollment=enrollment, task=task)
    before = list(TaskCompletion.objects.values_list("id", "task_id", "completed_at"))

    rescheduling.apply(enrollment, ScheduleChange.Kind.CATCH_UP, SAT)
    rescheduling.undo_last(enrollment)
    rescheduling.apply(enrollment, ScheduleChange.Kind.SHIFT, SAT)

    assert list(TaskCompletion.objects.values_list("id", "task_id", "completed_at")) == before
    done.refresh_from_db()


def test_apply_when_not_behind_saves_nothing(enrollment: Enrollment) -> None:
    with pytest.raises(rescheduling.ScheduleError, match="not behind"):
        rescheduling.apply(enrollment, ScheduleChange.Kind.SHIFT, MON)
    assert not ScheduleChange.objects.exists()


def test_apply_refuses_an_unknown_choice(enrollment: Enrollment) -> None:
    with pytest.raises(rescheduling.ScheduleError, match="Unknown"):
        rescheduling.apply(enrollment, "pause", SAT)
    assert not ScheduleChange.objects.exists()


def test_apply_refuses_a_stale_preview(enrollment: Enrollment) -> None:
    with pytest.raises(rescheduling.ScheduleError, match="changed"):
        rescheduling.apply(enrollment, ScheduleChange.Kind.SHIFT, SAT, expected_finish=d(1, 4))
    assert not ScheduleChange.objects.exists()


def test_undo_restores_the_schedule_and_keeps_the_row(enrollment: Enrollment) -> None:
    original = finish(enrollment)
    rescheduling.apply(enrollment, ScheduleChange.Kind.SHIFT, SAT)
    assert finish(enrollment) != original

    undone = rescheduling.undo_last(enrollment)

    undone.refresh_from_db()
    assert undone.undone_at is not None
    assert finish(enrollment) == original
    assert ScheduleChange.objects.count() == 1


def test_undo_takes_the_newest_reschedule_and_keeps_history(enrollment: Enrollment) -> None:
    first = rescheduling.apply(enrollment, ScheduleChange.Kind.CATCH_UP, SAT)
    rescheduling.undo_last(enrollment)
    rescheduling.apply(enrollment, ScheduleChange.Kind.SHIFT, SAT)
    assert first.finish == d(27)

    undone = rescheduling.undo_last(enrollment)

    rows = list(ScheduleChange.objects.order_by("id").values_list("kind", "undone_at"))
    assert [kind for kind, _at in rows] == ["catch_up", "shift"]
    assert all(at is not None for _kind, at in rows)
    assert undone.kind == "shift"


def test_undo_with_nothing_to_undo_says_so(enrollment: Enrollment) -> None:
    with pytest.raises(rescheduling.ScheduleError, match="no reschedule"):
        rescheduling.undo_last(enrollment)


def test_a_pause_freezes_and_a_resume_shifts_by_the_paused_time(enrollment: Enrollment) -> None:
    rescheduling.pause(enrollment, d(4))  # paused on Wednesday, day 3 not started

    paused = overview(enrollment, d(10))
    assert paused.schedule.paused
    assert paused.days_behind == 0
    assert paused.schedule.days_due_by(d(10)) == 2

    rescheduling.resume(enrollment, d(11))  # back a week later, on Wednesday

    resumed = overview(enrollment, d(11)).schedule
    assert not resumed.paused
    assert (resumed.date_of(2), resumed.date_of(3)) == (d(3), d(11))
    assert resumed.last_date == d(3, 4)  # one week after 27 March


def test_pausing_twice_or_resuming_when_not_paused_is_refused(enrollment: Enrollment) -> None:
    with pytest.raises(rescheduling.ScheduleError, match="not paused"):
        rescheduling.resume(enrollment, SAT)
    rescheduling.pause(enrollment, SAT)
    with pytest.raises(rescheduling.ScheduleError, match="already paused"):
        rescheduling.pause(enrollment, SAT)
    assert ScheduleChange.objects.count() == 1


def test_no_choices_while_paused(enrollment: Enrollment) -> None:
    rescheduling.pause(enrollment, SAT)
    assert options(enrollment, SAT) == []
    with pytest.raises(rescheduling.ScheduleError, match="paused"):
        rescheduling.apply(enrollment, ScheduleChange.Kind.SHIFT, SAT)
    assert ScheduleChange.objects.count() == 1


# --- views ------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("on_saturday")
def test_reschedule_page_shows_both_previews(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.get(reverse("progress:reschedule"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="kind" value="shift"' in body
    assert 'name="finish" value="2026-04-03"' in body
    assert 'name="kind" value="catch_up"' in body
    assert 'name="finish" value="2026-03-27"' in body
    assert reverse("progress:today") in body  # "leave it" is a plain link


@pytest.mark.usefixtures("on_saturday")
def test_posting_a_choice_applies_it_and_redirects(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(reverse("progress:reschedule"), {"kind": "shift", "finish": "2026-04-03"}, follow=True)
    assert response.redirect_chain == [(reverse("progress:reschedule"), 302)]
    assert ScheduleChange.objects.get().kind == "shift"
    assert finish(enrollment) == d(3, 4)
    assert 'value="2026-04-03"' not in response.content.decode()  # no longer behind: no choices


@pytest.mark.usefixtures("on_saturday")
def test_posting_a_stale_choice_changes_nothing(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(reverse("progress:reschedule"), {"kind": "shift", "finish": "2026-05-01"}, follow=True)
    assert response.status_code == 200
    assert not ScheduleChange.objects.exists()
    assert "changed" in response.content.decode()


@pytest.mark.usefixtures("on_saturday")
def test_undo_view_undoes_the_last_reschedule(alice_client: Client, enrollment: Enrollment) -> None:
    rescheduling.apply(enrollment, ScheduleChange.Kind.SHIFT, SAT)
    response = alice_client.post(reverse("progress:reschedule_undo"))
    assert response.status_code == 302
    assert ScheduleChange.objects.get().undone_at is not None
    assert finish(enrollment) == d(27)


def test_reschedule_needs_login(client: Client, enrollment: Enrollment) -> None:
    response = client.get(reverse("progress:reschedule"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("name", ["reschedule", "days_off"])
def test_schedule_pages_send_a_learner_without_an_enrollment_to_enroll(client: Client, bob: User, name: str) -> None:
    client.force_login(bob)
    response = client.get(reverse(f"progress:{name}"))
    assert response.status_code == 302 and response["Location"] == reverse("progress:enroll")


def test_posts_without_csrf_token_are_refused(alice: User, enrollment: Enrollment) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    for name in ("reschedule", "reschedule_undo", "days_off", "pause", "resume", "calendar_token_reset"):
        assert client.post(reverse(f"progress:{name}")).status_code == 403, name
    assert not ScheduleChange.objects.exists()


@pytest.mark.usefixtures("on_saturday")
def test_pause_and_resume_views(alice_client: Client, enrollment: Enrollment) -> None:
    assert alice_client.post(reverse("progress:pause")).status_code == 302
    page = alice_client.get(reverse("progress:reschedule")).content.decode()
    assert reverse("progress:resume") in page
    assert 'name="kind"' not in page  # paused: nothing to reschedule

    assert alice_client.post(reverse("progress:resume")).status_code == 302
    kinds = list(ScheduleChange.objects.values_list("kind", "on_date"))
    assert kinds == [("pause", SAT), ("resume", SAT)]


@pytest.mark.usefixtures("on_saturday")
def test_resume_when_not_paused_shows_a_message(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(reverse("progress:resume"), follow=True)
    assert "not paused" in response.content.decode()
    assert not ScheduleChange.objects.exists()


@pytest.mark.usefixtures("on_saturday")
def test_pause_redirects_only_to_this_site(alice_client: Client, enrollment: Enrollment) -> None:
    response = alice_client.post(reverse("progress:pause"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("progress:reschedule")


# --- partials other pages include -------------------------------------------------------------------------


def test_behind_partial_links_to_the_choices(enrollment: Enrollment) -> None:
    html = render_to_string("progress/_behind.html", {"overview": overview(enrollment, SAT)})
    assert reverse("progress:reschedule") in html
    assert "5" in html


def test_behind_partial_is_empty_when_on_track(enrollment: Enrollment) -> None:
    assert render_to_string("progress/_behind.html", {"overview": overview(enrollment, MON)}).strip() == ""
    assert render_to_string("progress/_behind.html", {}).strip() == ""


def test_behind_partial_offers_resume_instead_while_paused(enrollment: Enrollment) -> None:
    rescheduling.pause(enrollment, SAT)
    html = render_to_string("progress/_behind.html", {"overview": overview(enrollment, SAT)})
    assert 'id="behind-notice"' not in html
    assert 'id="paused-notice"' in html
    assert f'action="{reverse("progress:resume")}"' in html


# --- concurrency (PostgreSQL: SQLite serialises writers anyway) --------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_record_one_reschedule(postgres: None, enrollment: Enrollment) -> None:
    def click() -> str:
        try:
            rescheduling.apply(Enrollment.objects.get(pk=enrollment.pk), ScheduleChange.Kind.SHIFT, SAT)
        except rescheduling.ScheduleError:
            return "refused"
        return "applied"

    results = run_at_once(click, click)

    assert sorted(results) == ["applied", "refused"]
    assert ScheduleChange.objects.count() == 1


# --- speed ------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("on_saturday")
@pytest.mark.parametrize("name", ["reschedule", "days_off"])
def test_pages_make_the_same_queries_for_10_and_120_days(client: Client, alice: User, bob: User, name: str) -> None:
    counts = []
    for user, days in ((alice, 10), (bob, 120)):
        enrollment = Enrollment.objects.create(user=user, plan=make_plan(slug=f"p{days}", days=days), start_date=MON)
        ScheduleChange.objects.create(enrollment=enrollment, kind="shift", from_day=1, on_date=d(3))
        DayOff.objects.create(enrollment=enrollment, start_date=d(20), end_date=d(21))
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(f"progress:{name}")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 15, counts
