"""A calendar heatmap of tasks done per local date over the learner's plan span, as plain numbers for SVG.

No chart library: weeks are columns (Monday at the top), each date a square whose class encodes the level,
and every square carries its own <title> so the figure reads without colour. The span runs from the week of
the plan's first study date (or an earlier tick) to the week of its planned finish (or today, if later);
dates still ahead are drawn empty, the planned study days among them outlined.

The weeks are cut into bands of BAND_WEEKS columns, each its own SVG with a `viewBox` of the same size, so
the bands scale to the width of their container: side by side on a desktop, one under the other on a
phone, where a band still has squares of a readable size. Month labels are left out where they would run
past a band's right edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from progress.schedule import week_start

CELL = 12  # viewBox units, a square's side
GAP = 3
STEP = CELL + GAP
BAND_WEEKS = 13  # a quarter per band
MAX_WEEKS = 8 * BAND_WEEKS  # about two years; a longer plan shows the two years around today
LEFT = 28  # room for weekday labels
TOP = 16  # room for month labels
RIGHT = 20  # room for a month label on the last column ("十二月" at the label size)
LABEL_COLUMNS = 3  # columns a month label needs before the next one


@dataclass(frozen=True)
class Square:
    date: date
    count: int
    level: int  # 0..4
    x: int
    y: int
    ahead: bool = False  # after today: nothing can be done yet
    number: int | None = None  # the plan day scheduled on this date


@dataclass(frozen=True)
class MonthLabel:
    date: date
    x: int


@dataclass(frozen=True)
class WeekdayLabel:
    date: date
    y: int


@dataclass(frozen=True)
class Band:
    start: date  # a Monday
    end: date  # the last date drawn in this band
    squares: list[Square]
    months: list[MonthLabel]


@dataclass(frozen=True)
class Heatmap:
    bands: list[Band]
    weekday_labels: list[WeekdayLabel]  # Monday, Wednesday, Friday: a date to name and its baseline y
    width: int  # every band's viewBox
    height: int
    start: date
    end: date  # the last date up to today (the figures count to here)
    finish: date  # the last date drawn
    total: int
    active_days: int


def level(count: int, peak: int) -> int:
    if count <= 0 or peak <= 0:
        return 0
    # Quarters of the busiest day: the busiest day is always level 4, any tick at least level 1.
    return max(1, min(4, -(-4 * count // peak)))


def span(counts: dict[date, int], today: date, dates: Sequence[date]) -> tuple[date, date]:
    """First Monday and last Sunday drawn: the plan's span (and any earlier tick, and today), at most
    MAX_WEEKS, then the window of that size that holds today (pure)."""
    first = min([d for d in (*dates[:1], *counts) if d <= today], default=today)
    last = max(dates[-1], today) if dates else today
    start, end = week_start(first), week_start(last) + timedelta(days=6)
    window = timedelta(weeks=MAX_WEEKS)
    if end - start >= window:
        # Half a window before this week, as far as the span allows; the rest after it.
        start = max(start, week_start(today) - timedelta(weeks=MAX_WEEKS // 2))
        start = min(start, end - window + timedelta(days=1))
        end = start + window - timedelta(days=1)
    return start, end


def _band(start: date, last: date, counts: dict[date, int], today: date, peak: int, on: dict[date, int]) -> Band:
    squares: list[Square] = []
    months: list[MonthLabel] = []
    d = start
    while d <= last:
        column, row = (d - start).days // 7, d.weekday()
        x, y = LEFT + column * STEP, TOP + row * STEP
        n = counts.get(d, 0) if d <= today else 0
        squares.append(Square(d, n, level(n, peak), x, y, ahead=d > today, number=on.get(d)))
        if d == start or d.day == 1:
            # The partial first month gives way to the next one when they would overlap.
            if months and x - months[-1].x < LABEL_COLUMNS * STEP:
                months.pop()
            months.append(MonthLabel(d, x))
        d += timedelta(days=1)
    return Band(start, last, squares, months)


def build(counts: dict[date, int], today: date, dates: Sequence[date]) -> Heatmap:
    """The heatmap of `counts` (local date -> tasks ticked) over the plan whose study dates are `dates`."""
    start, finish = span(counts, today, dates)
    on = {d: n for n, d in enumerate(dates, start=1) if start <= d <= finish}
    through = min(finish, today)
    peak = max((n for d, n in counts.items() if start <= d <= through), default=0)
    bands = []
    band_start = start
    while band_start <= finish:
        band_end = min(finish, band_start + timedelta(weeks=BAND_WEEKS) - timedelta(days=1))
        bands.append(_band(band_start, band_end, counts, today, peak, on))
        band_start = band_end + timedelta(days=1)
    # 2024-01-01 was a Monday: the template names these dates' weekdays in the learner's language.
    weekday_labels = [WeekdayLabel(date(2024, 1, 1 + row), TOP + row * STEP + CELL - 2) for row in (0, 2, 4)]
    counted = [n for d, n in counts.items() if start <= d <= through]
    return Heatmap(
        bands=bands,
        weekday_labels=weekday_labels,
        width=LEFT + BAND_WEEKS * STEP + RIGHT,
        height=TOP + 7 * STEP,
        start=start,
        end=through,
        finish=finish,
        total=sum(counted),
        active_days=sum(1 for n in counted if n),
    )
