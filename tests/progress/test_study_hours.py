"""The pure side of study time: a timer's minutes, the caps, and the week-by-week comparison."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from progress.study_hours import (
    MAX_DAY_MINUTES,
    TIMER_CAP_MINUTES,
    StudyState,
    Timer,
    elapsed_minutes,
    timer_minutes,
    weekly,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=59), 0),
        (timedelta(minutes=1), 1),
        (timedelta(minutes=90, seconds=59), 90),
        (-timedelta(hours=1), 0),
    ],
)
def test_elapsed_minutes_are_whole_and_never_negative(delta: timedelta, expected: int) -> None:
    assert elapsed_minutes(T0, T0 + delta) == expected


@pytest.mark.parametrize(
    ("elapsed", "logged", "expected"),
    [
        (50, 0, 50),
        (TIMER_CAP_MINUTES + 1, 0, TIMER_CAP_MINUTES),  # forgotten: capped per run
        (3 * 24 * 60, 0, TIMER_CAP_MINUTES),
        (120, MAX_DAY_MINUTES - 30, 30),  # the day is nearly full
        (120, MAX_DAY_MINUTES, 0),
    ],
)
def test_a_timer_adds_at_most_the_cap_and_what_the_day_can_take(elapsed: int, logged: int, expected: int) -> None:
    assert timer_minutes(elapsed, logged) == expected


def test_weeks_compare_logged_minutes_with_the_plans_hours_per_study_day() -> None:
    weeks = [(1, "W1", (1, 2, 3, 4, 5)), (2, "W2", (6, 7, 8)), (3, "W3", (9, 10))]
    minutes = {1: 200, 2: 190, 3: 180, 4: 200, 5: 220, 6: 600, 7: 500, 9: 30}
    rows = weekly(weeks, minutes, (3, 4), shown=[1, 2])
    assert [(w.number, w.study_days, w.minutes, w.low_minutes, w.high_minutes) for w in rows] == [
        (1, 5, 990, 900, 1200),
        (2, 3, 1100, 540, 720),
    ]
    assert [w.standing for w in rows] == ["within", "above"]
    assert [w.scale for w in rows] == [1200, 1100]
    (third,) = weekly(weeks, minutes, (3, 4), shown=[3])
    assert (third.standing, third.minutes) == ("below", 30)


def test_the_state_key_changes_with_minutes_and_timer() -> None:
    empty = StudyState({}, None)
    logged = StudyState({7: 30}, None)
    running = StudyState({7: 30}, Timer(1, 7, T0))
    assert len({empty.key(), logged.key(), running.key(), StudyState({7: 31}, None).key()}) == 4
