"""Pure date arithmetic: where each plan day falls for one enrollment.

No ORM, no request, no settings: plain values in, plain values out, so it is tested on its own and every
page, email and feed that shows a date asks this module instead of computing dates itself.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Change:
    """A schedule change as plain values (see progress.models.ScheduleChange for the kinds)."""

    kind: str
    from_day: int
    on_date: date


@dataclass(frozen=True)
class ScheduleInput:
    start_date: date
    weekdays: frozenset[int]  # date.weekday() numbers, Monday = 0
    total_days: int
    changes: tuple[Change, ...] = ()
    days_off: tuple[tuple[date, date], ...] = ()  # inclusive ranges


class DayKind(StrEnum):
    STUDY = "study"
    REVIEW = "review"
    BEFORE_START = "before"
    AFTER_END = "after"


@dataclass(frozen=True)
class DayOn:
    """What a calendar date is for a learner: a study day (with its plan day number) or not."""

    kind: DayKind
    number: int | None = None  # the plan day on this date, for STUDY


def _is_off(d: date, days_off: Iterable[tuple[date, date]]) -> bool:
    return any(start <= d <= end for start, end in days_off)


def lay_out(inp: ScheduleInput) -> tuple[date, ...]:
    """The date of every plan day: result[n - 1] is the date of day n. Dates strictly increase."""
    if not inp.weekdays:
        raise ValueError("at least one study weekday is needed")
    dates: list[date] = []
    current = inp.start_date
    for _number in range(1, inp.total_days + 1):
        while current.weekday() not in inp.weekdays or _is_off(current, inp.days_off):
            current += ONE_DAY
        dates.append(current)
        current += ONE_DAY
    return tuple(dates)


@dataclass(frozen=True)
class Schedule:
    """The laid-out plan for one enrollment, with look-ups both ways."""

    dates: tuple[date, ...]
    _index: dict[date, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {d: n for n, d in enumerate(self.dates, start=1)})

    @classmethod
    def build(cls, inp: ScheduleInput) -> Schedule:
        return cls(lay_out(inp))

    @property
    def total_days(self) -> int:
        return len(self.dates)

    @property
    def first_date(self) -> date | None:
        return self.dates[0] if self.dates else None

    @property
    def last_date(self) -> date | None:
        return self.dates[-1] if self.dates else None

    def date_of(self, number: int) -> date:
        if not 1 <= number <= len(self.dates):
            raise ValueError(f"day {number} is outside 1..{len(self.dates)}")
        return self.dates[number - 1]

    def day_on(self, d: date) -> DayOn:
        number = self._index.get(d)
        if number is not None:
            return DayOn(DayKind.STUDY, number)
        if not self.dates or d < self.dates[0]:
            return DayOn(DayKind.BEFORE_START)
        if d > self.dates[-1]:
            return DayOn(DayKind.AFTER_END)
        return DayOn(DayKind.REVIEW)

    def days_due_by(self, d: date) -> int:
        """How many plan days are scheduled on or before `d`."""
        return bisect.bisect_right(self.dates, d)

    def next_study_day_after(self, d: date) -> int | None:
        """The first plan day scheduled strictly after `d`, if any."""
        i = bisect.bisect_right(self.dates, d)
        return i + 1 if i < len(self.dates) else None
