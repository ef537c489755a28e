"""A time zone stored in the database that Python cannot load (written around the forms: a raw UPDATE, an
old row, a restored dump): it reads as the default zone, so one such row takes no page or reminder down.

"Asia" and "Etc" are the nasty ones: they are directories in the zone database, so ZoneInfo raises
IsADirectoryError (an OSError), not the ZoneInfoNotFoundError everything else expects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from datetime import time as dtime
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from curriculum.models import Plan
from progress.models import Enrollment, ReminderDelivery
from progress.reminders.message import build_message
from progress.zones import local_today
from tests.progress.helpers import logged_in, settings_form
from tests.progress.reminder_helpers import SmtpServer, enroll, learners

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)
WEDNESDAY_NOON_SHANGHAI = "2026-03-04T04:00:00Z"
BROKEN_ZONES = ["Asia", "Nowhere/City", "", "Asia/../../x"]


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(WEDNESDAY_NOON_SHANGHAI, tick=False) as t:
        yield t


def stored_zone(enrollment: Enrollment, zone: str) -> None:
    Enrollment.objects.filter(pk=enrollment.pk).update(time_zone=zone)


@pytest.mark.parametrize("zone", ["Asia", "Etc"])
def test_the_model_refuses_a_zone_directory_with_a_message(alice: User, plan: Plan, zone: str) -> None:
    enrollment = Enrollment(user=alice, plan=plan, start_date=MONDAY, time_zone=zone)

    with pytest.raises(ValidationError) as refused:
        enrollment.full_clean()

    assert "time_zone" in refused.value.message_dict


def test_a_zone_directory_in_one_row_does_not_stop_everybody_elses_reminders(
    make_user: Callable[..., User], plan: Plan, server: SmtpServer
) -> None:
    ok, broken = (enroll(u, plan, start=MONDAY, at=dtime(8, 0)) for u in learners(make_user, 2))
    stored_zone(broken, "Asia")
    out = StringIO()

    call_command("send_reminders", "--no-wait", stdout=out)

    assert out.getvalue().startswith("1 reminders sent, 0 failed")
    assert list(ReminderDelivery.objects.values_list("enrollment_id", flat=True)) == [ok.pk]
    assert len(server.sink.messages) == 1


@pytest.mark.parametrize("zone", BROKEN_ZONES)
def test_a_reminder_can_still_be_built_for_a_learner_with_a_broken_zone(alice: User, plan: Plan, zone: str) -> None:
    enrollment = enroll(alice, plan, start=MONDAY, at=dtime(8, 0))
    stored_zone(enrollment, zone)
    enrollment.refresh_from_db()

    assert build_message(enrollment, MONDAY).to == [alice.email]


PAGES = [
    "/",
    "/calendar/",
    "/days/1/",
    "/plan/",
    "/progress/",
    "/settings/",
    "/enroll/",
    "/reschedule/",
    "/notes/export.md",
]


@pytest.mark.parametrize("zone", BROKEN_ZONES)
def test_every_page_works_for_a_learner_with_a_broken_zone_stored(alice: User, plan: Plan, zone: str) -> None:
    enrollment = enroll(alice, plan, start=MONDAY, at=dtime(8, 0))
    stored_zone(enrollment, zone)
    client = Client(raise_request_exception=False)
    client.force_login(alice)

    statuses = {path: client.get(path).status_code for path in PAGES}
    statuses["feed"] = client.get(f"/calendar/{enrollment.calendar_token}.ics").status_code

    assert set(statuses.values()) == {200}, statuses


def test_a_broken_zone_reads_as_the_default_zone(alice: User, plan: Plan, frozen: Any) -> None:
    enrollment = enroll(alice, plan, start=MONDAY, at=dtime(8, 0))
    stored_zone(enrollment, "Asia")
    enrollment.refresh_from_db()
    # 23:30 UTC on Tuesday is already Wednesday in Shanghai, the default zone.
    frozen.move_to("2026-03-03T23:30:00Z")

    assert local_today(enrollment.time_zone) == date(2026, 3, 4)


def test_the_settings_page_lets_the_learner_repair_a_broken_zone(alice: User, plan: Plan) -> None:
    enrollment = enroll(alice, plan, start=MONDAY, at=dtime(8, 0))
    stored_zone(enrollment, "Asia")
    client = logged_in(alice, raise_request_exception=False)
    form = settings_form(enrollment, time_zone="Europe/Berlin", afternoon_end="18:00", language="en")

    assert client.post("/settings/", form).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.time_zone == "Europe/Berlin"
