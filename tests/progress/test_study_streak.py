"""The study streak: a scheduled study day counts when something for it was done on it (a tick of one of its
tasks, or its note, by local date); days without a plan day neither break nor extend it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from curriculum.models import Day, Plan
from progress import activity
from progress.activity import Streaks, counted_dates, streaks
from progress.models import DayNote, Enrollment, ScheduleChange, TaskCompletion
from progress.schedule import Schedule, ScheduleInput
from progress.structure import structure_for
from tests.progress.helpers import SHANGHAI, START, tasks_of, tick

pytestmark = pytest.mark.usefixtures("english_ui")

MON_FRI = frozenset(range(5))
DATES = Schedule.build(ScheduleInput(START, MON_FRI, 10)).dates  # Mon 2 March .. Fri 13 March


def at(d: date, hour: int = 12) -> datetime:
    """Local time `hour` on `d` in Shanghai, as the database stores it."""
    return datetime.combine(d, time(hour), tzinfo=SHANGHAI)


# --- the pure date maths -----------------------------------------------------------------------------------


def test_work_counts_for_a_day_only_on_that_days_date() -> None:
    done_on = [(1, DATES[0]), (2, DATES[2]), (3, DATES[2]), (99, DATES[3])]
    # Day 2 done a day late does not count for day 2; day 3 on its date does; unknown day 99 is ignored.
    assert counted_dates(DATES, done_on) == {DATES[0], DATES[2]}


def test_a_weekend_neither_breaks_nor_extends_the_streak() -> None:
    # Days 4 and 5 (Thu, Fri) and 6 (Mon): a run of three across the weekend.
    counted = {DATES[3], DATES[4], DATES[5]}
    assert streaks(DATES, counted, DATES[5]) == Streaks(current=3, longest=3)
    # Studying on the Saturday in between is not a study date and adds nothing.
    assert streaks(DATES, counted | {date(2026, 3, 7)}, DATES[5]) == Streaks(3, 3)


def test_today_not_done_yet_keeps_yesterdays_run_and_a_missed_day_breaks_it() -> None:
    counted = {DATES[0], DATES[1], DATES[3]}
    assert streaks(DATES, counted, DATES[4]) == Streaks(current=1, longest=2)  # day 3 missed; today open
    assert streaks(DATES, counted, DATES[4] + timedelta(days=3)) == Streaks(current=0, longest=2)  # day 5 missed


def test_nothing_before_the_start() -> None:
    assert streaks(DATES, set(), START - timedelta(days=3)) == Streaks(0, 0)


study_sets = st.sets(st.sampled_from(DATES))
todays = st.dates(min_value=START - timedelta(days=3), max_value=DATES[-1] + timedelta(days=5))


@settings(max_examples=200, deadline=None)
@given(study_sets, todays)
def test_streak_properties(counted: set[date], today: date) -> None:
    result = streaks(DATES, counted, today)
    due = [d for d in DATES if d <= today]
    assert 0 <= result.current <= result.longest <= len(due)
    assert result.longest <= len(counted)
    # Counting one more study date never shortens either figure.
    for extra in DATES:
        more = streaks(DATES, counted | {extra}, today)
        assert more.current >= result.current and more.longest >= result.longest
    # Dates that are not study dates change nothing.
    assert streaks(DATES, counted | {date(2026, 3, 7), date(2026, 3, 8)}, today) == result
    # Every study date counted: the run is every study date so far.
    assert streaks(DATES, set(DATES), today) == Streaks(len(due), len(due))


# --- from the database to the page -------------------------------------------------------------------------


def test_activity_reads_ticks_and_notes_by_local_date(enrollment: Enrollment, plan: Plan) -> None:
    a, b = tasks_of(plan, 1)[:2]
    tick(enrollment, a, b)
    # 20:00 UTC is 04:00 the next day in Shanghai.
    TaskCompletion.objects.filter(task=a).update(completed_at=datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
    TaskCompletion.objects.filter(task=b).update(completed_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    day2 = Day.objects.get(plan=plan, number=2)
    note = DayNote.objects.create(enrollment=enrollment, day=day2, body="read the paper")
    DayNote.objects.filter(pk=note.pk).update(updated_at=at(date(2026, 3, 3)))
    DayNote.objects.create(enrollment=enrollment, day=Day.objects.get(plan=plan, number=3), body="")  # empty

    found = activity.load(enrollment)
    assert found.ticks_per_date() == {date(2026, 3, 2): 1, date(2026, 3, 3): 1}
    assert sorted(found.by_day(structure_for(plan))) == [
        (1, date(2026, 3, 2)),
        (1, date(2026, 3, 3)),
        (2, date(2026, 3, 3)),
    ]


def test_the_progress_page_shows_current_and_longest(
    alice_client: Client, enrollment: Enrollment, plan: Plan, on_local_date
) -> None:
    # Days 1 and 2 on their dates, day 3 missed, days 4, 5 and 6 on their dates (6 by its note only), and a
    # day off on Tuesday 10 March pushing day 7 to Wednesday; today is that Wednesday, day 7 still open.
    for n in (1, 2, 4, 5):
        tick(enrollment, tasks_of(plan, n)[0])
        TaskCompletion.objects.filter(task=tasks_of(plan, n)[0]).update(completed_at=at(DATES[n - 1]))
    tick(enrollment, *tasks_of(plan, 3))  # all of day 3, but late (today): finished, yet not a study day kept
    on_local_date(date(2026, 3, 11))
    note = DayNote.objects.create(enrollment=enrollment, day=Day.objects.get(plan=plan, number=6), body="x")
    DayNote.objects.filter(pk=note.pk).update(updated_at=at(DATES[5]))
    enrollment.days_off.create(start_date=date(2026, 3, 10), end_date=date(2026, 3, 10))

    html = alice_client.get("/progress/").content.decode()
    assert '<dd id="streak">3 study days in a row</dd>' in html
    assert '<dd id="longest-streak">3 study days</dd>' in html
    assert 'id="days-done-streak"' in html  # the plan-day completion figure stays

    # Ticking one of today's tasks today extends the run, and the page (cached by its inputs) shows it.
    alice_client.post(f"/days/7/tasks/{tasks_of(plan, 7)[0].pk}/toggle/", {"done": "1"})
    html = alice_client.get("/progress/").content.decode()
    assert '<dd id="streak">4 study days in a row</dd>' in html and '<dd id="longest-streak">4 study days</dd>' in html


def test_a_pause_neither_breaks_nor_extends_the_streak(
    alice_client: Client, enrollment: Enrollment, plan: Plan, on_local_date
) -> None:
    on_local_date(date(2026, 3, 4))
    for n in (1, 2):
        tick(enrollment, tasks_of(plan, n)[0])
        TaskCompletion.objects.filter(task=tasks_of(plan, n)[0]).update(completed_at=at(DATES[n - 1]))
    ScheduleChange.objects.create(enrollment=enrollment, kind=ScheduleChange.Kind.PAUSE, on_date=date(2026, 3, 4))
    on_local_date(date(2026, 3, 12))  # a week later, still paused
    html = alice_client.get("/progress/").content.decode()
    assert '<dd id="streak">2 study days in a row</dd>' in html
