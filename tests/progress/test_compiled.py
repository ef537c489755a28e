"""A compiled query (progress.compiled) returns exactly the rows, with the same Python types, as the QuerySet it
was built from, on whichever database runs the tests: it converts them with converters worked out once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from curriculum.models import Plan
from progress import access, feed, notes, state
from progress.compiled import CompiledQuery
from progress.models import DayNote, DayOff, Enrollment, ScheduleChange, StudyTime, StudyTimer
from tests.progress.helpers import START, tasks_of, tick

pytestmark = pytest.mark.django_db


def same_rows(query: CompiledQuery, *args: object) -> None:
    compiled = query.rows(*args)
    direct = [tuple(row) for row in query.build(*args)]
    assert compiled, "nothing to compare"
    # The same values of the same types (a datetime is not a string, a date not a datetime).
    assert sorted(map(repr, compiled)) == sorted(map(repr, direct))
    assert query.rows(*args) == compiled  # and again, from the SQL and converters kept on the connection


def test_the_learner_state_comes_back_as_the_queryset_gives_it(enrollment: Enrollment, plan: Plan) -> None:
    tick(enrollment, *tasks_of(plan, 1))
    day = plan.days.get(number=2)
    ScheduleChange.objects.create(enrollment=enrollment, kind="shift", from_day=2, on_date=START + timedelta(days=3))
    DayOff.objects.create(enrollment=enrollment, start_date=date(2026, 3, 10), end_date=date(2026, 3, 11))
    StudyTime.objects.create(enrollment=enrollment, day=day, minutes=25)
    StudyTimer.objects.create(user=enrollment.user, enrollment=enrollment, day=day, started_at=timezone.now())
    same_rows(state._STATE, enrollment.pk, enrollment.user_id)


def test_the_user_with_enrollments_comes_back_as_the_queryset_gives_it(enrollment: Enrollment) -> None:
    same_rows(access._USER_AND_ENROLLMENTS, enrollment.user_id)


def test_the_feed_token_and_the_export_ticks_come_back_as_the_querysets_give_them(
    enrollment: Enrollment, plan: Plan
) -> None:
    tick(enrollment, *tasks_of(plan, 1))
    DayNote.objects.create(enrollment=enrollment, day=plan.days.get(number=1), body="note")
    same_rows(notes._TICKED, enrollment.pk)
    same_rows(feed._BY_TOKEN, enrollment.calendar_token)
