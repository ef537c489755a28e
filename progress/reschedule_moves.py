"""What a reschedule choice changes, day by day: which plan days get new dates, which of them land on the
learner's review days, and from which day the dates stay as they were (pure; the standard library and
progress.schedule only). Both choices usually put the first unfinished day on today, so the preview says
where they differ: the finish date, and which days move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from progress.schedule import Schedule

# Review days named in a preview before "…": enough to see the pattern on a phone.
DATES_SHOWN = 4


@dataclass(frozen=True)
class Moves:
    first: int | None  # the first plan day with a new date (None: nothing moves)
    last: int | None  # the last one
    count: int  # how many days get a new date
    onto_review_days: tuple[date, ...]  # new dates that are not study weekdays (catch-up on weekends)
    kept_from: int | None  # after the moved days, the first day that keeps its date (None: all the rest move)

    @property
    def review_dates_shown(self) -> tuple[date, ...]:
        return self.onto_review_days[:DATES_SHOWN]

    @property
    def more_review_dates(self) -> bool:
        return len(self.onto_review_days) > DATES_SHOWN


def moves(before: Schedule, after: Schedule, weekdays: frozenset[int]) -> Moves:
    """How `after` differs from `before` for a learner studying on `weekdays` (date.weekday() numbers)."""
    total = min(before.total_days, after.total_days)
    moved = [n for n in range(1, total + 1) if before.date_of(n) != after.date_of(n)]
    if not moved:
        return Moves(None, None, 0, (), None)
    last = moved[-1]
    review = tuple(after.date_of(n) for n in moved if after.date_of(n).weekday() not in weekdays)
    return Moves(moved[0], last, len(moved), review, last + 1 if last < total else None)
