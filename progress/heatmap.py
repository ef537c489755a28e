"""A calendar heatmap of tasks done per local date, laid out as plain numbers for an SVG template.

No chart library: weeks are columns (Monday at the top), each date a square whose class encodes the level,
and every square carries its own <title> so the figure reads without colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from progress.schedule import week_start

CELL = 12  # px, square side
GAP = 3
MAX_WEEKS = 53
MIN_WEEKS = 13  # a quarter at least, so a new learner's map still reads as a calendar
LEFT = 28  # room for weekday labels
TOP = 16  # room for month labels


@dataclass(frozen=True)
class Square:
    date: date
    count: int
    level: int  # 0..4
    x: int
    y: int


@dataclass(frozen=True)
class MonthLabel:
    date: date
    x: int


@dataclass(frozen=True)
class WeekdayLabel:
    date: date
    y: int


@dataclass(frozen=True)
class Heatmap:
    squares: list[Square]
    months: list[MonthLabel]
    weekday_labels: list[WeekdayLabel]  # Monday, Wednesday, Friday: a date to name and its baseline y
    width: int
    height: int
    start: date
    end: date
    total: int
    active_days: int


def level(count: int, peak: int) -> int:
    if count <= 0 or peak <= 0:
        return 0
    # Quarters of the busiest day: the busiest day is always level 4, any tick at least level 1.
    return max(1, min(4, -(-4 * count // peak)))


def build(counts: dict[date, int], today: date, first_date: date | None) -> Heatmap:
    """Weeks from the plan's (or the first tick's) week to this week, at most a year."""
    end = week_start(today) + timedelta(days=6)  # the Sunday of this week
    earliest = min([d for d in (first_date, *counts) if d is not None and d <= today], default=today)
    start = week_start(earliest)
    start = max(start, end - timedelta(weeks=MAX_WEEKS) + timedelta(days=1))
    start = min(start, end - timedelta(weeks=MIN_WEEKS) + timedelta(days=1))
    peak = max((n for d, n in counts.items() if start <= d <= end), default=0)
    squares: list[Square] = []
    months: list[MonthLabel] = []
    d = start
    while d <= end:
        column, row = (d - start).days // 7, d.weekday()
        x, y = LEFT + column * (CELL + GAP), TOP + row * (CELL + GAP)
        if d <= today:
            n = counts.get(d, 0)
            squares.append(Square(d, n, level(n, peak), x, y))
        if d.day == 1 or d == start:
            # A label needs about three columns; the partial first month gives way to the next one.
            if months and x - months[-1].x < 3 * (CELL + GAP):
                months.pop()
            months.append(MonthLabel(d, x))
        d += timedelta(days=1)
    weeks = (end - start).days // 7 + 1
    # 2024-01-01 was a Monday: the template names these dates' weekdays in the learner's language.
    weekday_labels = [WeekdayLabel(date(2024, 1, 1 + row), TOP + row * (CELL + GAP) + CELL - 2) for row in (0, 2, 4)]
    return Heatmap(
        squares=squares,
        months=months,
        weekday_labels=weekday_labels,
        width=LEFT + weeks * (CELL + GAP),
        height=TOP + 7 * (CELL + GAP),
        start=start,
        end=min(end, today),
        total=sum(s.count for s in squares),
        active_days=sum(1 for s in squares if s.count),
    )
