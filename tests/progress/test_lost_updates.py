"""A view saves only the fields its form owns, so a request racing another cannot write back a value it read
before the other one changed it: above all, a settings save never restores a calendar link just reset."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models.signals import pre_save

from progress.models import Enrollment, LearnerProfile
from tests.concurrency import run_at_once
from tests.factories import make_plan
from tests.progress.helpers import logged_in, settings_form

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def enrollment(postgres: None, alice: User) -> Enrollment:
    enrollment = Enrollment.objects.create(user=alice, plan=make_plan(days=5), start_date=date(2026, 3, 2))
    LearnerProfile.objects.create(user=alice, active_enrollment=enrollment)
    return enrollment


def current_token(enrollment: Enrollment) -> str:
    return Enrollment.objects.values_list("calendar_token", flat=True).get(pk=enrollment.pk)


@pytest.fixture
def reset_while_settings_save(alice: User, enrollment: Enrollment) -> Iterator[list[str]]:
    """Just before the settings view writes the enrollment, another request resets the calendar link and
    commits, on its own connection: the interleaving that lost the reset. Yields the reset tokens."""
    resets: list[str] = []
    settings_thread = threading.current_thread()

    def reset_in_between(sender: type[Enrollment], instance: Enrollment, **kwargs: Any) -> None:
        if threading.current_thread() is not settings_thread or resets:
            return  # the reset's own save, or a later one

        def reset() -> None:
            try:
                logged_in(alice).post("/settings/calendar-token/")
                resets.append(current_token(enrollment))
            finally:
                connection.close()

        thread = threading.Thread(target=reset)
        thread.start()
        thread.join(timeout=30)

    pre_save.connect(reset_in_between, sender=Enrollment)
    yield resets
    pre_save.disconnect(reset_in_between, sender=Enrollment)


def test_a_settings_save_between_read_and_write_keeps_a_calendar_link_reset(
    alice: User, enrollment: Enrollment, reset_while_settings_save: list[str]
) -> None:
    old = enrollment.calendar_token

    response = logged_in(alice).post("/settings/", settings_form(enrollment, time_zone="Europe/Berlin"))

    assert response.status_code == 302
    [new] = reset_while_settings_save
    assert new != old
    enrollment.refresh_from_db()
    assert enrollment.calendar_token == new
    assert enrollment.time_zone == "Europe/Berlin"


def test_settings_saves_racing_calendar_link_resets_never_bring_an_old_link_back(
    alice: User, enrollment: Enrollment
) -> None:
    settings_client, reset_client = logged_in(alice), logged_in(alice)
    data = settings_form(enrollment, reminder_time="06:45")
    for _ in range(5):
        before = current_token(enrollment)

        statuses = run_at_once(
            lambda: settings_client.post("/settings/", data).status_code,
            lambda: reset_client.post("/settings/calendar-token/").status_code,
        )

        assert statuses == [302, 302]
        assert current_token(enrollment) != before
