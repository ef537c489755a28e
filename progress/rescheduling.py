"""Getting back on track: reschedule choices with previews, undo, days off, pause and resume.

Every change is a new row (ScheduleChange, DayOff); nothing here touches completions or notes. A preview is
computed by `_laid_out_with`, the same function `apply` checks its result against, from the same plain
values the enrollment's schedule is built from, so what the learner is shown is what they get.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from progress.models import DayOff, Enrollment, ScheduleChange
from progress.reschedule_moves import Moves, moves
from progress.schedule import ONE_DAY, Change, Schedule, ScheduleInput, pause_spans
from progress.services import Overview, overview

RESCHEDULE_KINDS = (ScheduleChange.Kind.SHIFT, ScheduleChange.Kind.CATCH_UP)
# A days-off range longer than this is almost certainly a typo (and would push the plan out of sight).
MAX_DAYS_OFF_SPAN = 366
# Days off further ahead are almost surely a typo (year 9999), and keep every date the schedule can reach
# far from date.max, where laying the plan past them would overflow.
MAX_DAYS_OFF_AHEAD = timedelta(days=2 * 366)


class ScheduleError(ValidationError):
    """A request that cannot be honoured; the message is meant for the learner."""


@dataclass(frozen=True)
class Option:
    """One reschedule choice with its preview."""

    kind: str
    label: str
    change: Change
    first_day: int  # the first unfinished plan day
    first_date: date  # where it lands
    finish: date  # the new last study date
    current_finish: date
    moved: Moves | None = None  # which days get new dates, for the preview

    @property
    def finish_moves_by(self) -> int:
        return (self.finish - self.current_finish).days


@dataclass(frozen=True)
class Behind:
    """What the "you are behind" notice needs."""

    days_behind: int
    first_day: int
    first_date: date  # when the first unfinished day was due


def _laid_out_with(inp: ScheduleInput, change: Change) -> Schedule:
    return Schedule.build(replace(inp, changes=(*inp.changes, change)))


def behind(ov: Overview) -> Behind | None:
    """Whether rescheduling can help: some unfinished day was due before today (and not paused)."""
    if ov.schedule.paused:
        return None
    first = ov.first_unfinished
    if first is None or first > ov.schedule.total_days:
        return None
    due = ov.schedule.date_of(first)
    if due >= ov.today:
        return None
    return Behind(days_behind=ov.days_behind, first_day=first, first_date=due)


def options_from(ov: Overview) -> list[Option]:
    state = behind(ov)
    if state is None or ov.schedule.last_date is None:
        return []
    inp = ov.enrollment.schedule_input(ov.schedule.total_days, ov.today)
    labels = {
        ScheduleChange.Kind.SHIFT: _("Move the rest of the plan so that day %(n)s is today or the next study day"),
        ScheduleChange.Kind.CATCH_UP: _("Use the coming review days (weekends) to catch up from day %(n)s"),
    }
    result = []
    for kind in RESCHEDULE_KINDS:
        change = Change(str(kind), state.first_day, ov.today)
        laid = _laid_out_with(inp, change)
        assert laid.last_date is not None  # same number of days as the current schedule
        result.append(
            Option(
                kind=str(kind),
                label=labels[kind] % {"n": state.first_day},
                change=change,
                first_day=state.first_day,
                first_date=laid.date_of(state.first_day),
                finish=laid.last_date,
                current_finish=ov.schedule.last_date,
                moved=moves(ov.schedule, laid, ov.enrollment.weekdays),
            )
        )
    return result


def apply(enrollment: Enrollment, kind: str, today: date, expected_finish: date | None = None) -> Option:
    """Record the chosen reschedule as a new ScheduleChange row and return the option applied.

    `expected_finish` is the finish date the learner was shown; if the situation changed since (a tick in
    another tab, midnight passed), nothing is saved and ScheduleError says so, so the preview they accepted
    is always the result they get.
    """
    with transaction.atomic():
        # Two clicks at once must not record two shifts.
        locked = Enrollment.objects.lock(enrollment)
        if kind not in RESCHEDULE_KINDS:
            raise ScheduleError(_("Unknown reschedule choice."))
        ov = overview(locked, today)
        if ov.schedule.paused:
            raise ScheduleError(_("Your plan is paused; resume it first."))
        chosen = next((o for o in options_from(ov) if o.kind == kind), None)
        if chosen is None:
            raise ScheduleError(_("You are not behind: there is nothing to reschedule."))
        if expected_finish is not None and expected_finish != chosen.finish:
            raise ScheduleError(_("Your schedule changed in the meantime; please look at the new previews."))
        ScheduleChange.objects.create(
            enrollment=locked, kind=chosen.kind, from_day=chosen.first_day, on_date=chosen.change.on_date
        )
    return chosen


def last_undoable(enrollment: Enrollment) -> ScheduleChange | None:
    """The newest reschedule still in force (pauses are ended by resuming, not by undo)."""
    return (
        enrollment.schedule_changes.filter(undone_at__isnull=True, kind__in=RESCHEDULE_KINDS)
        .order_by("-created_at", "-id")
        .first()
    )


def undo_last(enrollment: Enrollment) -> ScheduleChange:
    """Mark the newest reschedule as undone (the row stays, for the history)."""
    with transaction.atomic():
        Enrollment.objects.lock(enrollment)
        change = last_undoable(enrollment)
        if change is None:
            raise ScheduleError(_("There is no reschedule to undo."))
        change.undone_at = timezone.now()
        change.save(update_fields=["undone_at"])
    return change


def check_day_off(enrollment: Enrollment, start: date, end: date | None, today: date) -> None:
    """Raise ScheduleError with a message for the learner if this range of days off cannot be added."""
    end = end or start
    if end < start:
        raise ScheduleError(_("The last day off must not be before the first."))
    if start < today:
        raise ScheduleError(_("Days off can only be today or later; past days keep their dates."))
    if start > today + MAX_DAYS_OFF_AHEAD:
        raise ScheduleError(
            _("Days off can be at most two years ahead (until %(last)s).")
            % {"last": (today + MAX_DAYS_OFF_AHEAD).isoformat()}
        )
    if (end - start).days + 1 > MAX_DAYS_OFF_SPAN:
        raise ScheduleError(_("A range of days off can be at most %(n)s days long.") % {"n": MAX_DAYS_OFF_SPAN})
    clash = enrollment.days_off.filter(start_date__lte=end, end_date__gte=start).first()
    if clash is not None:
        raise ScheduleError(
            _("These dates overlap your days off from %(start)s to %(end)s.")
            % {"start": clash.start_date.isoformat(), "end": clash.end_date.isoformat()}
        )


def add_day_off(enrollment: Enrollment, start: date, end: date | None, today: date) -> DayOff:
    """A day or range of days off, from today on (today included: "I am ill today" is the common case).

    Overlapping an existing range is refused rather than merged, so each row stays what the learner typed.
    """
    with transaction.atomic():
        # Two concurrent adds must not both pass the overlap check.
        Enrollment.objects.lock(enrollment)
        check_day_off(enrollment, start, end, today)
        return DayOff.objects.create(enrollment=enrollment, start_date=start, end_date=end or start)


def remove_day_off(day_off: DayOff, today: date) -> tuple[date, date]:
    """Give back the days off from `today` on; return the range given back.

    Past days keep their dates (as when adding), so a range that has begun is cut to end yesterday rather
    than deleted, and one wholly in the past is refused. Callers fetch `day_off` through the owner check
    (progress.access).
    """
    if day_off.end_date < today:
        raise ScheduleError(_("This day off is over and cannot be removed: past days keep their dates."))
    freed = (max(day_off.start_date, today), day_off.end_date)
    if day_off.start_date < today:
        day_off.end_date = today - ONE_DAY
        day_off.save(update_fields=["end_date"])
    else:
        day_off.delete()
    return freed


def upcoming_days_off(enrollment: Enrollment, today: date) -> list[DayOff]:
    return list(enrollment.days_off.filter(end_date__gte=today))


def is_paused(enrollment: Enrollment) -> bool:
    """Whether the latest PAUSE is still open, read fresh (inside pause()/resume()'s row lock)."""
    toggles = enrollment.schedule_changes.filter(
        undone_at__isnull=True, kind__in=(ScheduleChange.Kind.PAUSE, ScheduleChange.Kind.RESUME)
    ).values_list("kind", "on_date")
    _spans, open_since = pause_spans(tuple(Change(kind, 0, on) for kind, on in toggles), None)
    return open_since is not None


def pause(enrollment: Enrollment, today: date) -> ScheduleChange:
    with transaction.atomic():
        Enrollment.objects.lock(enrollment)
        if is_paused(enrollment):
            raise ScheduleError(_("Your plan is already paused."))
        return ScheduleChange.objects.create(enrollment=enrollment, kind=ScheduleChange.Kind.PAUSE, on_date=today)


def resume(enrollment: Enrollment, today: date) -> ScheduleChange:
    with transaction.atomic():
        Enrollment.objects.lock(enrollment)
        if not is_paused(enrollment):
            raise ScheduleError(_("Your plan is not paused."))
        return ScheduleChange.objects.create(enrollment=enrollment, kind=ScheduleChange.Kind.RESUME, on_date=today)
