"""`Enrollment.state_version` moves on every write to a learner's state, whatever makes the write.

The learner pages are cached by it, so each way a row can change is tried here: the ORM's save, bulk
create, queryset update and delete, a cascade, and raw SQL, on every state table (run on SQLite and,
with DATABASE_URL, on PostgreSQL: the triggers differ between the two).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection, models
from django.utils import timezone

from curriculum.models import Day, Plan, Resource, Week
from progress import triggers
from progress.models import (
    DayNote,
    DayOff,
    Enrollment,
    ResourceProgress,
    ScheduleChange,
    StudyTime,
    StudyTimer,
    TaskCompletion,
    WeekNote,
)
from tests.factories import make_plan
from tests.progress.helpers import START, tasks_of

pytestmark = pytest.mark.django_db


def version(e: Enrollment) -> int:
    return Enrollment.objects.values_list("state_version", flat=True).get(pk=e.pk)


def day(e: Enrollment, number: int = 1) -> Day:
    return Day.objects.get(plan=e.plan_id, number=number)


# One new row of each state table for enrollment `e`.
BUILD: dict[type[models.Model], Callable[[Enrollment], models.Model]] = {
    TaskCompletion: lambda e: TaskCompletion(enrollment=e, task=tasks_of(e.plan, 1)[0]),
    DayNote: lambda e: DayNote(enrollment=e, day=day(e), body="a note"),
    ScheduleChange: lambda e: ScheduleChange(enrollment=e, kind="shift", from_day=2, on_date=START),
    DayOff: lambda e: DayOff(enrollment=e, start_date=START, end_date=START + timedelta(days=1)),
    StudyTime: lambda e: StudyTime(enrollment=e, day=day(e), minutes=30),
    StudyTimer: lambda e: StudyTimer(user=e.user, enrollment=e, day=day(e), started_at=timezone.now()),
    ResourceProgress: lambda e: ResourceProgress(enrollment=e, resource=Resource.objects.get(section__plan=e.plan)),
    WeekNote: lambda e: WeekNote(enrollment=e, week=Week.objects.get(plan=e.plan, number=1), body="a week"),
}
# A column each table lets an update change without breaking a constraint.
EDIT: dict[type[models.Model], dict[str, Callable[[Enrollment], object]]] = {
    TaskCompletion: {"task": lambda e: tasks_of(e.plan, 1)[1]},
    DayNote: {"body": lambda e: "edited"},
    ScheduleChange: {"undone_at": lambda e: timezone.now()},
    DayOff: {"end_date": lambda e: START + timedelta(days=3)},
    StudyTime: {"minutes": lambda e: 45},
    StudyTimer: {"day": lambda e: day(e, 2)},
    ResourceProgress: {"body": lambda e: "read it"},
    WeekNote: {"body": lambda e: "edited"},
}
MODELS = list(BUILD)


def test_every_state_table_has_its_triggers() -> None:
    """A table with a learner's rows that the triggers leave out would let a page show stale state."""
    from django.apps import apps

    owned = {
        m._meta.db_table
        for m in apps.get_app_config("progress").get_models()
        if any(getattr(f.remote_field, "model", None) is Enrollment for f in m._meta.concrete_fields)
    }
    # Reminder and nudge deliveries are the workers' bookkeeping, shown on no learner page; the profile's
    # active enrollment is read with the enrollments themselves on every page.
    not_state = {"progress_reminderdelivery", "progress_nudgedelivery", "progress_learnerprofile"}
    assert owned - not_state == {table for table, _ in triggers.STATE_TABLES}
    assert {m._meta.db_table for m in MODELS} == {table for table, _ in triggers.STATE_TABLES}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_save_update_and_delete_each_move_the_version(enrollment: Enrollment, model: type[models.Model]) -> None:
    seen = [version(enrollment)]
    row = BUILD[model](enrollment)
    row.save()
    seen.append(version(enrollment))
    for field, value in EDIT[model].items():
        setattr(row, field, value(enrollment))
    row.save()
    seen.append(version(enrollment))
    row.delete()
    seen.append(version(enrollment))
    assert seen == sorted(set(seen)), f"each write moves the version up: {seen}"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_bulk_writes_move_the_version(enrollment: Enrollment, model: type[models.Model]) -> None:
    before = version(enrollment)
    model._default_manager.bulk_create([BUILD[model](enrollment)])
    after_create = version(enrollment)
    field, value = next(iter(EDIT[model].items()))
    model._default_manager.filter(pk__isnull=False).update(**{field: value(enrollment)})
    after_update = version(enrollment)
    model._default_manager.all().delete()
    assert before < after_create < after_update < version(enrollment)


def test_raw_sql_moves_the_version(enrollment: Enrollment) -> None:
    task = tasks_of(enrollment.plan, 1)[0]
    before = version(enrollment)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO progress_taskcompletion (enrollment_id, task_id, completed_at) VALUES (%s, %s, %s)",
            [enrollment.pk, task.pk, timezone.now()],
        )
    assert version(enrollment) > before


def test_a_write_moves_only_its_own_enrollment(enrollment: Enrollment, alice: User, bob: User, plan: Plan) -> None:
    other_plan = make_plan(slug="other", days=3)
    mine_too = Enrollment.objects.create(user=alice, plan=other_plan, start_date=START)
    bobs = Enrollment.objects.create(user=bob, plan=plan, start_date=START)
    before = {e.pk: version(e) for e in (mine_too, bobs)}
    BUILD[TaskCompletion](enrollment).save()
    assert {e.pk: version(e) for e in (mine_too, bobs)} == before


def test_the_timer_moves_every_enrollment_of_its_learner(enrollment: Enrollment, alice: User, bob: User) -> None:
    """One timer per learner, shown on each of their plans' day pages."""
    other = Enrollment.objects.create(user=alice, plan=make_plan(slug="other", days=3), start_date=START)
    bobs = Enrollment.objects.create(user=bob, plan=enrollment.plan, start_date=START)
    before = {e.pk: version(e) for e in (enrollment, other, bobs)}
    BUILD[StudyTimer](enrollment).save()
    after = {e.pk: version(e) for e in (enrollment, other, bobs)}
    assert after[enrollment.pk] > before[enrollment.pk]
    assert after[other.pk] > before[other.pk]
    assert after[bobs.pk] == before[bobs.pk]


def test_saving_an_enrollment_read_before_a_tick_never_goes_back(enrollment: Enrollment) -> None:
    """The instance still holds the old counter; writing it back must not reuse a value a page was cached under."""
    stale = Enrollment.objects.get(pk=enrollment.pk)
    BUILD[TaskCompletion](enrollment).save()
    after_tick = version(enrollment)
    stale.share_notes = True
    stale.save()
    assert version(enrollment) > after_tick
    saved = version(enrollment)
    Enrollment.objects.filter(pk=enrollment.pk).update(state_version=0)
    assert version(enrollment) >= saved


def test_a_bulk_tick_of_many_tasks_moves_the_version(enrollment: Enrollment) -> None:
    before = version(enrollment)
    tasks = [t for n in range(1, 4) for t in tasks_of(enrollment.plan, n)]
    TaskCompletion.objects.bulk_create(TaskCompletion(enrollment=enrollment, task=t) for t in tasks)
    assert version(enrollment) > before
    assert TaskCompletion.objects.filter(enrollment=enrollment).count() == len(tasks)


def test_a_tick_that_inserts_nothing_keeps_the_version(enrollment: Enrollment) -> None:
    """Ticking a ticked task again (ON CONFLICT DO NOTHING) changes nothing, so the cached pages stay."""
    BUILD[TaskCompletion](enrollment).save()
    before = version(enrollment)
    TaskCompletion.objects.bulk_create(
        [TaskCompletion(enrollment=enrollment, task=tasks_of(enrollment.plan, 1)[0])], ignore_conflicts=True
    )
    assert version(enrollment) == before


def test_a_stale_save_that_changes_nothing_never_goes_back(enrollment: Enrollment) -> None:
    stale = Enrollment.objects.get(pk=enrollment.pk)
    BUILD[TaskCompletion](enrollment).save()
    after_tick = version(enrollment)
    stale.save()  # the same columns, the counter read before the tick
    assert version(enrollment) >= after_tick


def test_moving_the_next_reminder_keeps_the_pages(enrollment: Enrollment, postgres: None) -> None:
    """The fan-out moves every reminded learner's next reminder once a day; no page shows it (PostgreSQL:
    SQLite's triggers move the counter on any update, which is never wrong)."""
    before = version(enrollment)
    Enrollment.objects.filter(pk=enrollment.pk).update(next_reminder_at=timezone.now() + timedelta(days=1))
    assert version(enrollment) == before
    Enrollment.objects.filter(pk=enrollment.pk).update(reminders_enabled=False)
    assert version(enrollment) == before + 1
