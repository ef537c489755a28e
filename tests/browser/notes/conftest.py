"""Fixtures of the note editor's browser tests: a learner whose today is plan day 1, and a console watch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import ConsoleMessage, Page

from progress.models import Enrollment
from progress.zones import local_today
from tests.factories import make_plan

EVERY_DAY = 0b1111111


@pytest.fixture
def learner(alice: User) -> Enrollment:
    enrollment = Enrollment(user=alice, plan=make_plan(slug="notes", days=5), start_date=date.today())
    enrollment.study_weekdays = EVERY_DAY
    enrollment.start_date = local_today(enrollment.time_zone)
    enrollment.save()
    return enrollment


@pytest.fixture
def console_errors() -> Iterator[Callable[[Page], Page]]:
    """Watch pages for console errors and uncaught exceptions; the test fails if any page had one.

    Chromium reports every Content-Security-Policy violation as a console error ("Refused to ...").
    """
    errors: list[str] = []

    def watch(page: Page) -> Page:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield watch
    assert not errors, errors
