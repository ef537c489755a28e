"""Study activity: on which local dates the learner ticked tasks or wrote notes, and the study streak.

The streak is counted the way learners know it from language apps: a scheduled study day counts when the
learner did something for it *on it*: ticked at least one of that day's tasks, or wrote that day's note, on
its date (the tick's or the note's local date, in the learner's time zone). Only scheduled study dates are
looked at, so weekends, days off and pauses (which carry no plan day) neither break nor extend a streak.
Today, while nothing is done yet, does not break it either.

The date maths (`counted_dates`, `streaks`) is pure; `load` is one query for both kinds of activity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Value
from django.db.models.functions import TruncDate

from progress.models import DayNote, Enrollment, TaskCompletion
from progress.structure import PlanStructure
from progress.zones import zone_or_fallback

TICK, NOTE = "t", "n"


@dataclass(frozen=True)
class Activity:
    """What the learner did, as (kind, id, local date) rows: TICK with a task id, NOTE with a Day row's id."""

    rows: tuple[tuple[str, int, date], ...]

    def ticks_per_date(self) -> dict[date, int]:
        """Local date -> tasks ticked on it (the heatmap's figures)."""
        return dict(Counter(on for kind, _ref, on in self.rows if kind == TICK))

    def by_day(self, structure: PlanStructure) -> list[tuple[int, date]]:
        """(plan day number, local date) for every tick and note of a day still in the plan."""
        day_of_pk = {day.pk: number for number, day in structure.days.items()}
        result = []
        for kind, ref, on in self.rows:
            number = structure.day_of_task.get(ref) if kind == TICK else day_of_pk.get(ref)
            if number is not None:
                result.append((number, on))
        return result


@dataclass(frozen=True)
class Streaks:
    current: int
    longest: int


def counted_dates(dates: Sequence[date], done_on: Iterable[tuple[int, date]]) -> set[date]:
    """The study dates that count: plan day n's date, when something for day n was done on that date (pure).

    `dates[n - 1]` is day n's date (progress.schedule.Schedule.dates); `done_on` holds (day number, local
    date) pairs. Work for day n done on another date (early, or catching up later) does not count for it.
    """
    return {on for number, on in done_on if 1 <= number <= len(dates) and dates[number - 1] == on}


def streaks(dates: Sequence[date], counted: set[date], today: date) -> Streaks:
    """Current and longest run of consecutive study dates that count, up to `today` (pure).

    Only the dates in `dates` (study dates, increasing) are looked at. The current run ends at the last
    study date on or before today; today itself, not counted yet, leaves the run as it was yesterday.
    """
    run = longest = 0
    for on in dates:
        if on > today:
            break
        if on in counted:
            run += 1
            longest = max(longest, run)
        elif on < today:
            run = 0
    return Streaks(current=run, longest=longest)


def load(enrollment: Enrollment) -> Activity:
    """Every tick and non-empty note of this learner with its local date: one UNION ALL query."""
    tz = zone_or_fallback(enrollment.time_zone)
    ticks = TaskCompletion.objects.filter(enrollment=enrollment).values_list(
        Value(TICK), "task_id", TruncDate("completed_at", tzinfo=tz)
    )
    notes = (
        DayNote.objects.filter(enrollment=enrollment)
        .exclude(body="")
        .values_list(Value(NOTE), "day_id", TruncDate("updated_at", tzinfo=tz))
    )
    rows = ticks.order_by().union(notes.order_by(), all=True)
    return Activity(tuple(sorted((str(k), int(ref), on) for k, ref, on in rows)))
