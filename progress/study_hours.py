"""Study time as plain values: the limits, a timer's elapsed minutes, and the week-by-week comparison with the plan.

Pure (standard library only), like `progress.schedule`: the ORM side is `progress.study_time`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

QUICK_MINUTES = (15, 30, 60)
# A plan day's total can be corrected to anything from 0 to a whole day; more is a typing mistake.
MAX_DAY_MINUTES = 24 * 60
# A timer running longer than this was forgotten, not studied through: stopping it adds this much at most,
# and the page says so, so the learner can correct the day's total.
TIMER_CAP_MINUTES = 8 * 60


@dataclass(frozen=True)
class Timer:
    """A learner's running timer: for plan day `day_id` of enrollment `enrollment_id`, since `started_at`."""

    enrollment_id: int
    day_id: int
    started_at: datetime


@dataclass(frozen=True)
class StudyState:
    """A learner's logged minutes per plan day (by day id) and their running timer, if any."""

    minutes: Mapping[int, int]
    timer: Timer | None

    def key(self) -> tuple[object, ...]:
        """What a cached page showing study time depends on."""
        timer = (self.timer.enrollment_id, self.timer.day_id, self.timer.started_at) if self.timer else None
        return (tuple(sorted(self.minutes.items())), timer)


def elapsed_minutes(started_at: datetime, now: datetime) -> int:
    """Whole minutes between the two instants; never negative (a clock that moved back counts as nothing)."""
    return max(0, int((now - started_at).total_seconds() // 60))


def timer_minutes(elapsed: int, logged: int) -> int:
    """What stopping a timer adds: the elapsed minutes, capped per run and by what the day can still take."""
    return max(0, min(elapsed, TIMER_CAP_MINUTES, MAX_DAY_MINUTES - logged))


@dataclass(frozen=True)
class WeekTime:
    """One plan week: the minutes logged for its days against the plan's hours for its study days."""

    number: int
    title: str
    study_days: int
    minutes: int
    low_minutes: int  # the plan's expectation, lower and upper bound
    high_minutes: int

    @property
    def standing(self) -> str:
        """ "below", "within" or "above" the plan's range (words for screen readers, not just a bar's colour)."""
        if self.minutes < self.low_minutes:
            return "below"
        return "above" if self.minutes > self.high_minutes else "within"

    @property
    def scale(self) -> int:
        """The bar's maximum: the plan's upper bound, or the minutes when they go beyond it."""
        return max(self.high_minutes, self.minutes, 1)


def weekly(
    weeks: Iterable[tuple[int, str, tuple[int, ...]]],
    minutes_by_day: Mapping[int, int],
    hours: tuple[int, int],
    shown: Iterable[int],
) -> list[WeekTime]:
    """The plan weeks numbered in `shown`, each as logged minutes against `hours` (low, high) per study day.

    `weeks` are (number, title, plan day numbers); `minutes_by_day` is keyed by plan day number.
    """
    wanted = set(shown)
    low, high = hours
    return [
        WeekTime(
            number=number,
            title=title,
            study_days=len(days),
            minutes=sum(minutes_by_day.get(n, 0) for n in days),
            low_minutes=60 * low * len(days),
            high_minutes=60 * high * len(days),
        )
        for number, title, days in weeks
        if number in wanted
    ]
