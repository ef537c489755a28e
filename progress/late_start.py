"""A learner who picked a start date before the day they enrolled: what that means, and starting from today.

Enrollment accepts a start date up to a year back, for somebody who began on paper. Somebody who did not is
greeted by days behind and overdue tasks on their first visit; Today then explains where those come from and
offers to start from today instead. That is the ordinary SHIFT reschedule (progress.rescheduling, with its
preview, its check under a row lock and its undo), so nothing here writes anything.

Reads only what `overview()` loaded (the schedule changes are in the enrollment's prefetch cache): no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from progress import rescheduling
from progress.models import Enrollment, ScheduleChange
from progress.services import Overview
from progress.zones import zone_or_fallback


@dataclass(frozen=True)
class LateStart:
    """The offer: the plan began before enrollment, and the learner is behind because of it."""

    start_date: date
    enrolled_on: date
    days_behind: int
    first_day: int  # the first unfinished day, which moves to today
    finish: date  # the planned finish now
    new_finish: date  # the planned finish when starting from today


@dataclass(frozen=True)
class Restarted:
    """The learner took the offer today: what changed, with the undo one click away."""

    first_day: int
    first_date: date  # where it landed: today, or the next study day
    finish: date


def enrolled_on(enrollment: Enrollment) -> date:
    """The learner's local date when they enrolled."""
    return enrollment.created_at.astimezone(zone_or_fallback(enrollment.time_zone)).date()


def _reschedules(enrollment: Enrollment) -> list[ScheduleChange]:
    kinds = {str(k) for k in rescheduling.RESCHEDULE_KINDS}
    return [c for c in enrollment.schedule_changes.all() if c.undone_at is None and c.kind in kinds]


def offer(ov: Overview) -> LateStart | None:
    """The "you started in the past" offer, or None.

    Made while the start date lies before the enrollment, the learner is behind on days that fell before
    they enrolled, and they have not rescheduled since (after that the plan is theirs as it is).
    """
    e = ov.enrollment
    joined = enrolled_on(e)
    state = rescheduling.behind(ov)
    if e.start_date >= joined or state is None or state.first_date >= joined or _reschedules(e):
        return None
    shift = next((o for o in rescheduling.options_from(ov) if o.kind == ScheduleChange.Kind.SHIFT), None)
    if shift is None:
        return None
    return LateStart(e.start_date, joined, state.days_behind, shift.first_day, shift.current_finish, shift.finish)


def restarted(ov: Overview) -> Restarted | None:
    """Set on the day the learner started from today: their only reschedule is a SHIFT made today, while the
    start date lies before the enrollment. Today then offers the undo in place of the offer."""
    e = ov.enrollment
    changes = _reschedules(e)
    if e.start_date >= enrolled_on(e) or len(changes) != 1 or ov.schedule.last_date is None:
        return None
    change = changes[0]
    if change.kind != ScheduleChange.Kind.SHIFT or change.on_date != ov.today:
        return None
    first = ov.date_of(change.from_day)
    if first is None:
        return None
    return Restarted(first_day=change.from_day, first_date=first, finish=ov.schedule.last_date)
