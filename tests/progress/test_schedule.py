"""Example-based tests of progress.schedule: each case small enough to check by hand on a calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from progress.schedule import CATCH_UP, PAUSE, RESUME, SHIFT, START, Change, DayKind, DayOn, Schedule, ScheduleInput

MON_FRI = frozenset(range(5))
MON = date(2026, 3, 2)  # a Monday


def d(day: int, month: int = 3) -> date:
    return date(2026, month, day)


def build(**kw: object) -> Schedule:
    values: dict[object, object] = {"start_date": MON, "weekdays": MON_FRI, "total_days": 10}
    values.update(kw)
    return Schedule.build(ScheduleInput(**values))  # type: ignore[arg-type]


def test_it_lays_mon_fri_from_a_monday() -> None:
    s = build()
    assert s.dates == (d(2), d(3), d(4), d(5), d(6), d(9), d(10), d(11), d(12), d(13))


def test_it_starts_on_a_wednesday_and_skips_the_weekend() -> None:
    s = build(start_date=d(4), total_days=4)
    assert s.dates == (d(4), d(5), d(6), d(9))


def test_it_starts_on_the_next_study_day_when_the_start_is_a_weekend() -> None:
    assert build(start_date=d(7), total_days=1).dates == (d(9),)


def test_saturday_only_learner_studies_one_day_a_week() -> None:
    s = build(weekdays=frozenset({5}), total_days=3)
    assert s.dates == (d(7), d(14), d(21))


def test_day_on_before_start_after_end_and_review() -> None:
    s = build(total_days=6)
    assert s.day_on(d(1)) == DayOn(DayKind.BEFORE_START)
    assert s.day_on(d(7)) == DayOn(DayKind.REVIEW)
    assert s.day_on(d(9)) == DayOn(DayKind.STUDY, 6)
    assert s.day_on(d(10)) == DayOn(DayKind.AFTER_END)


def test_date_of_refuses_days_outside_the_plan() -> None:
    s = build(total_days=3)
    with pytest.raises(ValueError, match="outside"):
        s.date_of(0)
    with pytest.raises(ValueError, match="outside"):
        s.date_of(4)


def test_it_refuses_an_empty_weekday_set() -> None:
    with pytest.raises(ValueError, match="weekday"):
        build(weekdays=frozenset())


def next_study_day_after(s: Schedule, on: date) -> int | None:
    """The first plan day scheduled strictly after `on`, if any (read through `days_due_by`)."""
    n = s.days_due_by(on) + 1
    return n if n <= s.total_days else None


def test_days_due_by_and_next_study_day_after() -> None:
    s = build()
    assert s.days_due_by(d(1)) == 0
    assert s.days_due_by(d(7)) == 5
    assert next_study_day_after(s, d(7)) == 6
    assert next_study_day_after(s, d(13)) is None


def test_a_day_off_moves_its_day_and_everything_after() -> None:
    s = build(total_days=6, days_off=((d(4), d(4)),))
    assert s.dates == (d(2), d(3), d(5), d(6), d(9), d(10))
    assert s.day_on(d(4)).kind == DayKind.REVIEW


def test_a_range_of_days_off_spanning_a_weekend() -> None:
    s = build(total_days=4, days_off=((d(5), d(10)),))
    assert s.dates == (d(2), d(3), d(4), d(11))


def test_shift_puts_the_day_on_the_given_date_and_the_rest_follows() -> None:
    s = build(changes=(Change(SHIFT, 3, d(9)),))
    assert s.dates[:2] == (d(2), d(3))
    assert s.dates[2:6] == (d(9), d(10), d(11), d(12))
    assert s.last_date == d(18)


def test_shift_onto_a_weekend_lands_on_the_next_study_day() -> None:
    s = build(changes=(Change(SHIFT, 3, d(7)),))
    assert s.date_of(3) == d(9)


def test_catch_up_fills_weekends_until_back_on_the_old_dates() -> None:
    # Ten days Mon-Fri; on Saturday 7th the learner has done nothing: days 1-5 are overdue.
    plan = dict(total_days=20)
    before = build(**plan)
    s = build(**plan, changes=(Change(CATCH_UP, 1, d(7)),))
    # Day 1 lands on Saturday 7th and the days follow on every date, weekends included ...
    assert s.dates[:5] == (d(7), d(8), d(9), d(10), d(11))
    # ... until a day's old date is reached; from there the old dates are kept.
    caught = next(i for i in range(20) if s.dates[i] == before.dates[i])
    assert s.dates[caught:] == before.dates[caught:]
    assert s.last_date == before.last_date
    assert all(new >= old for new, old in zip(s.dates, before.dates, strict=True))


def test_catch_up_moves_the_finish_when_the_weekends_are_not_enough() -> None:
    before = build(total_days=8)
    s = build(total_days=8, changes=(Change(CATCH_UP, 1, d(7)),))
    assert s.dates == tuple(d(7) + timedelta(days=i) for i in range(8))
    assert s.last_date is not None and before.last_date is not None
    assert s.last_date > before.last_date


def test_catch_up_finishes_earlier_than_a_shift() -> None:
    changes_shift = (Change(SHIFT, 1, d(7)),)
    changes_catch = (Change(CATCH_UP, 1, d(7)),)
    shift, catch = build(total_days=30, changes=changes_shift), build(total_days=30, changes=changes_catch)
    assert shift.last_date is not None and catch.last_date is not None
    assert catch.last_date < shift.last_date


def test_catch_up_respects_days_off() -> None:
    s = build(total_days=3, changes=(Change(CATCH_UP, 1, d(7)),), days_off=((d(8), d(8)),))
    assert s.dates == (d(7), d(9), d(10))


def test_a_closed_pause_blocks_its_span_and_shifts_the_rest() -> None:
    # Paused Wednesday 4th, resumed Wednesday 11th: a week later, same weekday pattern.
    s = build(changes=(Change(PAUSE, 1, d(4)), Change(RESUME, 1, d(11))))
    assert s.dates == (d(2), d(3), d(11), d(12), d(13), d(16), d(17), d(18), d(19), d(20))
    assert not s.paused


def test_an_open_pause_freezes_with_today() -> None:
    s = build(changes=(Change(PAUSE, 1, d(4)),), today=d(10))
    assert s.paused and s.paused_since == d(4)
    assert s.dates[:3] == (d(2), d(3), d(11))
    assert s.days_due_by(d(10)) == 2
    # The paused dates through today are neither study nor review days; the next ones are laid out again.
    assert s.day_on(d(4)).kind == s.day_on(d(10)).kind == DayKind.PAUSED
    assert s.day_on(d(3)).kind == DayKind.STUDY and s.day_on(d(11)) == DayOn(DayKind.STUDY, 3)


def test_an_open_pause_without_today_keeps_the_dates_but_says_paused() -> None:
    s = build(changes=(Change(PAUSE, 1, d(4)),))
    assert s.paused
    assert s.dates == build().dates


def test_pausing_and_resuming_the_same_day_changes_nothing() -> None:
    s = build(changes=(Change(PAUSE, 1, d(4)), Change(RESUME, 1, d(4))))
    assert s.dates == build().dates


def test_a_second_pause_and_a_lone_resume_are_ignored() -> None:
    lone_resume, pause, second_pause = Change(RESUME, 1, d(3)), Change(PAUSE, 1, d(4)), Change(PAUSE, 1, d(9))
    s = build(changes=(lone_resume, pause, second_pause, Change(RESUME, 1, d(11))))
    assert s.dates[2] == d(11)


def test_start_changes_are_history_only() -> None:
    assert build(changes=(Change(START, 1, d(20)),)).dates == build().dates


def test_shift_from_day_outside_the_plan_is_clamped() -> None:
    s = build(total_days=3, changes=(Change(SHIFT, 99, d(20)),))
    assert s.dates == (d(2), d(3), d(20))


def test_an_empty_plan_has_no_dates() -> None:
    s = build(total_days=0, changes=(Change(SHIFT, 1, d(9)),))
    assert s.dates == ()
    assert s.day_on(d(2)).kind == DayKind.BEFORE_START
