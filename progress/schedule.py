"""Pure date arithmetic: where each plan day falls for one enrollment.

No ORM, no request, no settings, no clock: plain values in, plain values out (today, where it matters, is an
argument), so it is tested on its own and every page, email and feed that shows a date asks this module
instead of computing dates itself.

How the layout is made (`dates_and_pause`, behind `Schedule.build`):

1. *Blocked dates* are worked out first and apply to every step below: the learner's days off (inclusive
   ranges) and the paused spans. A PAUSE on `p` followed (in change order) by a RESUME on `r` blocks
   `[p, r)`. A PAUSE with no RESUME yet ("open") blocks `[p, today]` when `today` is given, so the days
   not already before `p` are laid out as if the learner resumed tomorrow, and nothing is ever due while
   paused; without `today` an open pause blocks nothing. Either way `Schedule.paused_since` is set, so
   callers can say "paused" and count no day as behind, and `day_on` calls the dates from the pause
   through `today` PAUSED (neither a study nor a review day). A second PAUSE while paused and a RESUME without a
   PAUSE are ignored.
2. The *base layout*: day 1 on the first study weekday on or after the start date that is not blocked,
   each next day on the next such date. So a day off or a pause pushes its day, and everything after it,
   to the next free study weekday.
3. The SHIFT and CATCH_UP changes are applied in order, each to the layout left by the ones before:
   - SHIFT(from_day=k, on_date=d): days before k keep their dates; day k goes on the first free study
     weekday on or after d (and after day k-1), and the days after it follow on the next free study
     weekdays, in order.
   - CATCH_UP(from_day=k, on_date=d): days before k keep their dates; for day i >= k, let c be the first
     free date (any weekday: review days count here) on or after both d and the day after day i-1. Day i
     goes on max(c, its previous date). While the learner is behind, c is later and the days fill every
     free date, weekends included; as soon as c reaches a day's previous date the schedule is back on
     track and that day and all later ones keep their previous dates. So a day never lands earlier than
     before the change, and the finish date only moves if the review days up to the end are not enough.
   - START changes are history only (the enrollment's start date holds the value); unknown kinds are
     ignored.

Invariants (see tests/progress/test_schedule_properties.py): dates strictly increase; every plan day has
exactly one date; no date is blocked; a date on a non-study weekday belongs to a day at or after a
CATCH_UP's `from_day` and on or after its `on_date`; `date_of` and `day_on` are inverse.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

ONE_DAY = timedelta(days=1)

# The kinds of progress.models.ScheduleChange.Kind, as plain strings so this module imports no model.
SHIFT = "shift"
CATCH_UP = "catch_up"
PAUSE = "pause"
RESUME = "resume"
START = "start"


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
    changes: tuple[Change, ...] = ()  # active changes, oldest first
    days_off: tuple[tuple[date, date], ...] = ()  # inclusive ranges
    # The learner's local date; only an open pause needs it (see the module docstring).
    today: date | None = None


class DayKind(StrEnum):
    STUDY = "study"
    REVIEW = "review"
    BEFORE_START = "before"
    AFTER_END = "after"
    PAUSED = "paused"  # a date of the open pause, up to the learner's today (see Schedule.paused_through)


@dataclass(frozen=True)
class DayOn:
    """What a calendar date is for a learner: a study day (with its plan day number) or not."""

    kind: DayKind
    number: int | None = None  # the plan day on this date, for STUDY


def pause_spans(changes: tuple[Change, ...], today: date | None) -> tuple[list[tuple[date, date]], date | None]:
    """Inclusive blocked spans from PAUSE/RESUME pairs, and the open pause's date (None when not paused)."""
    spans: list[tuple[date, date]] = []
    paused_on: date | None = None
    for change in changes:
        if change.kind == PAUSE and paused_on is None:
            paused_on = change.on_date
        elif change.kind == RESUME and paused_on is not None:
            if change.on_date > paused_on:
                spans.append((paused_on, change.on_date - ONE_DAY))
            paused_on = None
    if paused_on is not None and today is not None:
        spans.append((paused_on, max(paused_on, today)))
    return spans, paused_on


def week_start(d: date) -> date:
    """The Monday of `d`'s week (weeks run Monday to Sunday, as the plan's do)."""
    return d - timedelta(days=d.weekday())


def paused_on(changes: tuple[Change, ...], d: date) -> bool:
    """Whether the last PAUSE or RESUME dated on or before `d` is a PAUSE.

    Ordered by date, and for one date by change order (`changes` come oldest first, the sort is stable), so
    a pause and a resume on the same day leave the plan running.
    """
    toggles = sorted((c for c in changes if c.kind in (PAUSE, RESUME) and c.on_date <= d), key=lambda c: c.on_date)
    return bool(toggles) and toggles[-1].kind == PAUSE


def off_on(days_off: tuple[tuple[date, date], ...], d: date) -> bool:
    """Whether `d` falls in one of the learner's days-off ranges (inclusive)."""
    return any(start <= d <= end for start, end in days_off)


def _blocker(ranges: list[tuple[date, date]]) -> Callable[[date], bool]:
    # Few ranges in practice; a sorted scan keeps the check cheap for long plans too.
    ordered = sorted((s, e) for s, e in ranges if s <= e)
    starts = [s for s, _e in ordered]

    def blocked(d: date) -> bool:
        i = bisect.bisect_right(starts, d)
        return any(ordered[j][1] >= d for j in range(i))

    return blocked


def dates_and_pause(inp: ScheduleInput) -> tuple[tuple[date, ...], date | None]:
    """The date of every plan day (result[0][n - 1] is day n's; dates strictly increase), and the open
    pause's date (None when not paused)."""
    if not inp.weekdays:
        raise ValueError("at least one study weekday is needed")
    if not inp.weekdays <= frozenset(range(7)):
        raise ValueError("weekdays are date.weekday() numbers, 0..6")
    spans, paused_on = pause_spans(inp.changes, inp.today)
    blocked = _blocker(list(inp.days_off) + spans)

    def next_study(d: date) -> date:
        while d.weekday() not in inp.weekdays or blocked(d):
            d += ONE_DAY
        return d

    def next_free(d: date) -> date:
        while blocked(d):
            d += ONE_DAY
        return d

    dates: list[date] = []
    current = inp.start_date
    for _number in range(inp.total_days):
        current = next_study(current)
        dates.append(current)
        current += ONE_DAY

    for change in inp.changes:
        if change.kind not in (SHIFT, CATCH_UP) or not dates:
            continue
        k = min(max(change.from_day, 1), len(dates))
        previous = dates
        dates = previous[: k - 1]
        for i in range(k - 1, len(previous)):
            lowest = dates[-1] + ONE_DAY if dates else change.on_date
            if i == k - 1:
                lowest = max(lowest, change.on_date)
            if change.kind == SHIFT:
                dates.append(next_study(lowest))
            else:
                dates.append(max(next_free(max(lowest, change.on_date)), previous[i]))
    return tuple(dates), paused_on


@dataclass(frozen=True)
class Schedule:
    """The laid-out plan for one enrollment, with look-ups both ways."""

    dates: tuple[date, ...]
    # Set while a PAUSE has no RESUME: the schedule is frozen from this date (see the module docstring).
    paused_since: date | None = None
    # The last date the open pause blocks (the learner's today when it was given, else None): the dates
    # from `paused_since` through it are PAUSED, so no page calls one of them a study or review day.
    paused_through: date | None = None
    _index: dict[date, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {d: n for n, d in enumerate(self.dates, start=1)})

    @classmethod
    def build(cls, inp: ScheduleInput) -> Schedule:
        return _laid_out(inp)

    @property
    def paused(self) -> bool:
        return self.paused_since is not None

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
        if self.paused_since and self.paused_through and self.paused_since <= d <= self.paused_through:
            return DayOn(DayKind.PAUSED)
        if not self.dates or d < self.dates[0]:
            return DayOn(DayKind.BEFORE_START)
        if d > self.dates[-1]:
            return DayOn(DayKind.AFTER_END)
        return DayOn(DayKind.REVIEW)

    def days_due_by(self, d: date) -> int:
        """How many plan days are scheduled on or before `d`."""
        return bisect.bisect_right(self.dates, d)


@functools.lru_cache(maxsize=4096)
def _laid_out(inp: ScheduleInput) -> Schedule:
    """`Schedule.build`, remembered per input: a schedule is immutable and a pure function of its input, and
    laying out a plan walks every day of it, while a learner's input stays the same from one request (or
    reminder) to the next until they reschedule or the date moves during a pause."""
    dates, paused_since = dates_and_pause(inp)
    through = max(paused_since, inp.today) if paused_since is not None and inp.today is not None else None
    return Schedule(dates, paused_since, through)
