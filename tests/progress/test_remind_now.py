"""`quickstart --remind-now`: the demo learner's reminder, sent at once whatever the time of day, without
taking the place of the daily one; and the quickstart's links following `--addrport` (in-process here; the real
served process is in test_quickstart_links.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings

from curriculum.models import Plan
from progress.links import site_url_for_addrport
from progress.models import Enrollment, ReminderDelivery
from progress.reminders.fanout import fan_out
from progress.reminders.now import next_reminder_date, send_reminder_now
from progress.reminders.sending import send_batch
from tests.progress.reminder_helpers import enroll

pytestmark = pytest.mark.django_db

MONDAY, SATURDAY = date(2026, 3, 9), date(2026, 3, 14)


@pytest.fixture(autouse=True)
def restored_settings(settings: Settings) -> None:
    """quickstart sets SITE_URL and ALLOWED_HOSTS on the live settings: an override layer drops them afterwards."""
    settings.SITE_URL = settings.SITE_URL


@pytest.mark.parametrize(
    ("addrport", "expected"),
    [
        ("8000", "http://127.0.0.1:8000"),
        ("127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("localhost:9000", "http://localhost:9000"),
        ("0.0.0.0:8001", "http://127.0.0.1:8001"),
        ("0:8002", "http://127.0.0.1:8002"),
        ("[::1]:8003", "http://[::1]:8003"),
        ("[::]:8004", "http://[::1]:8004"),
        ("plan.lan:80", "http://plan.lan:80"),
    ],
)
def test_the_site_url_follows_the_served_address(addrport: str, expected: str) -> None:
    assert site_url_for_addrport(addrport) == expected


@pytest.mark.parametrize("addrport", ["", "host:", ":8000", "127.0.0.1:99999", "127.0.0.1:0", "a b:80", "x:8000/"])
def test_an_address_runserver_would_refuse_is_none(addrport: str) -> None:
    assert site_url_for_addrport(addrport) is None


def test_quickstart_refuses_a_bad_address_before_changing_anything() -> None:
    with pytest.raises(CommandError, match="--addrport"):
        call_command("quickstart", "--no-serve", "--addrport", "127.0.0.1:", stdout=StringIO())
    assert not User.objects.exists()


@pytest.fixture
def learner(alice: User, plan: Plan) -> Enrollment:
    return enroll(alice, plan, start=MONDAY, at=time(8, 0), language="en")


@pytest.mark.parametrize("hour", [time(3, 0), time(7, 59), time(12, 0), time(23, 59)])
def test_the_reminder_is_sent_now_whatever_the_time_and_the_daily_one_still_comes(
    learner: Enrollment, on_local_date: Callable[..., None], hour: time
) -> None:
    on_local_date(MONDAY, at=hour)

    assert send_reminder_now(learner) == MONDAY
    [now] = mail.outbox
    assert now.to == [learner.user.email]
    assert "Today is day 1" in str(now.body)
    assert not ReminderDelivery.objects.exists()  # not the daily one

    # At (or after) the reminder time the fan-out still sends the daily reminder, once.
    on_local_date(MONDAY, at=max(hour, time(8, 0)))
    fan = fan_out(enqueue=lambda ids: None)
    for ids in fan.batches:
        send_batch(ids)
    assert len(mail.outbox) == 2 and mail.outbox[1].subject == now.subject
    assert send_reminder_now(learner) == MONDAY  # and asking again sends again
    assert len(mail.outbox) == 3


def test_on_a_day_without_a_reminder_it_says_why_and_when_the_next_comes(
    alice: User, plan: Plan, on_local_date: Callable[..., None]
) -> None:
    """A learner who starts on a Saturday has no reminder that day; Sunday brings "tomorrow you begin"."""
    on_local_date(SATURDAY, at=time(10, 0))
    enroll(alice, plan, start=SATURDAY)
    User.objects.filter(pk=alice.pk).update(username="learner")

    out = StringIO()
    call_command("quickstart", "--no-serve", "--remind-now", stdout=out)

    assert mail.outbox == []
    assert "No reminder sent: learner gets none today (no reminder on this date: outside the plan's days)." in (
        out.getvalue()
    )
    assert next_reminder_date(Enrollment.objects.get(user=alice, plan=plan), SATURDAY) == date(2026, 3, 15)


def test_quickstart_remind_now_links_to_the_served_address(on_local_date: Callable[..., None]) -> None:
    on_local_date(MONDAY, at=time(3, 0))  # long before the 08:00 reminder time

    out = StringIO()
    call_command("quickstart", "--no-serve", "--remind-now", "--addrport", "127.0.0.1:8765", stdout=out)

    assert Plan.objects.exists(), "the quickstart loads the committed reference plan"
    assert "Sent learner’s reminder for 2026-03-09 to learner@example.com" in out.getvalue()
    [message] = mail.outbox
    links = set(re.findall(r"https?://[^\s<>\"]+", str(message.body)))
    assert links and all(link.startswith("http://127.0.0.1:8765/") for link in links), links
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8765/unsubscribe/")


def test_an_explicit_site_url_wins_over_the_address(
    on_local_date: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    on_local_date(MONDAY, at=time(3, 0))
    monkeypatch.setenv("SITE_URL", "https://plan.example.org")
    django_settings.SITE_URL = "https://plan.example.org"

    call_command("quickstart", "--no-serve", "--remind-now", "--addrport", "127.0.0.1:8765", stdout=StringIO())

    assert Plan.objects.exists(), "the quickstart loads the committed reference plan"
    [message] = mail.outbox
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://plan.example.org/unsubscribe/")
    assert "8765" not in str(message.body)


def test_the_served_host_is_let_in_unless_allowed_hosts_are_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    call_command("quickstart", "--no-serve", "--addrport", "studyplan.test:8123", stdout=StringIO())
    assert django_settings.SITE_URL == "http://studyplan.test:8123"
    assert "studyplan.test" in django_settings.ALLOWED_HOSTS

    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "plan.example.org")
    django_settings.ALLOWED_HOSTS = ["plan.example.org"]
    call_command("quickstart", "--no-serve", "--addrport", "other.test:8124", stdout=StringIO())
    assert django_settings.ALLOWED_HOSTS == ["plan.example.org"]
