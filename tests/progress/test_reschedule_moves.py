"""The reschedule choices say what differs between them: which days get new dates, which land on review
days, from which day nothing changes, and the finish date; not only the same first date twice."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from progress import rescheduling
from progress.models import Enrollment, ScheduleChange
from progress.reschedule_moves import moves
from progress.schedule import Schedule, ScheduleInput
from progress.services import overview
from tests.factories import make_plan
from tests.progress.helpers import logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_ui")]

MON = date(2026, 3, 2)
WED = date(2026, 3, 11)  # days 1-7 were due before today: seven days behind
MON_FRI = frozenset(range(5))


@pytest.fixture
def enrollment(alice: User) -> Enrollment:
    return Enrollment.objects.create(user=alice, plan=make_plan(days=40), start_date=MON)


def test_both_choices_start_today_but_move_different_days(enrollment: Enrollment) -> None:
    shift, catch_up = rescheduling.options_from(overview(enrollment, WED))
    assert (shift.kind, catch_up.kind) == (ScheduleChange.Kind.SHIFT, ScheduleChange.Kind.CATCH_UP)
    assert shift.first_date == catch_up.first_date == WED  # what the page used to show, twice

    assert shift.moved is not None and catch_up.moved is not None
    assert (shift.moved.first, shift.moved.last, shift.moved.kept_from) == (1, 40, None)
    assert shift.moved.onto_review_days == ()
    # Catch-up uses the weekends until the plan is back on its dates; after that nothing moves.
    assert catch_up.moved.onto_review_days[:2] == (date(2026, 3, 14), date(2026, 3, 15))
    assert catch_up.moved.kept_from is not None and catch_up.moved.last == catch_up.moved.kept_from - 1
    assert catch_up.moved.count < shift.moved.count


def test_the_reschedule_page_names_the_moved_days_for_each_choice(
    alice: User, enrollment: Enrollment, on_local_date
) -> None:
    on_local_date(WED)
    html = logged_in(alice).get("/reschedule/").content.decode()

    shift_part = html[html.index('id="choice-shift"') : html.index('id="choice-catch_up"')]
    catch_up_part = html[html.index('id="choice-catch_up"') : html.index('id="choice-leave"')]
    assert "Days 1–40 get new dates." in shift_part
    assert "Your review days stay free." in shift_part
    assert "That is every day to the end of the plan." in shift_part
    assert "fall on review days:" in catch_up_part and "Sat March 14, Sun March 15" in catch_up_part
    assert "nothing changes." in catch_up_part


def test_nothing_moves_when_the_schedules_are_equal() -> None:
    schedule = Schedule.build(ScheduleInput(MON, MON_FRI, 5, (), ()))
    result = moves(schedule, schedule, MON_FRI)
    assert (result.count, result.first, result.kept_from) == (0, None, None)
