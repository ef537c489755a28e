"""The reminder deliveries in admin: a read-only list with a constant number of queries, and resend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from curriculum.models import Plan
from progress.models import ReminderDelivery
from tests.progress.reminder_helpers import enroll, learners

pytestmark = pytest.mark.django_db

Status = ReminderDelivery.Status
URL = "/admin/progress/reminderdelivery/"


@pytest.fixture
def admin_client(make_user: Callable[..., User]) -> Client:
    client = Client()
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def deliveries(make_user: Callable[..., User], plan: Plan, n: int, prefix: str) -> list[ReminderDelivery]:
    rows = []
    for i, user in enumerate(learners(make_user, n, prefix)):
        e = enroll(user, plan, start=date(2026, 3, 2))
        rows.append(
            ReminderDelivery.objects.create(
                enrollment=e,
                local_date=date(2026, 3, 4) + timedelta(days=i % 2),
                status=Status.FAILED,
                attempts=1,
                error="550 5.1.1 mailbox unavailable",
            )
        )
    return rows


def test_the_list_shows_learner_date_status_attempts_and_error(
    admin_client: Client, make_user: Callable[..., User], plan: Plan
) -> None:
    deliveries(make_user, plan, 2, "x")
    response = admin_client.get(URL)
    assert response.status_code == 200
    rows = response.text.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr") == 2
    for text in ("x0", "x1", "2026年3月4日", "2026年3月5日", ">失败<", "550 5.1.1 mailbox unavailable"):
        assert text in rows


def test_the_list_costs_the_same_queries_for_3_or_30_rows(
    admin_client: Client, make_user: Callable[..., User], plan: Plan
) -> None:
    deliveries(make_user, plan, 3, "few")
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(URL).status_code == 200
    deliveries(make_user, plan, 27, "many")
    with CaptureQueriesContext(connection) as many:
        assert admin_client.get(URL).status_code == 200
    assert len(many) == len(few)


def test_rows_cannot_be_added_or_deleted(admin_client: Client, make_user: Callable[..., User], plan: Plan) -> None:
    [row] = deliveries(make_user, plan, 1, "y")
    assert admin_client.get(URL + "add/").status_code == 403
    assert admin_client.post(URL + f"{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ReminderDelivery.objects.filter(pk=row.pk).exists()


def test_the_detail_page_is_read_only(admin_client: Client, make_user: Callable[..., User], plan: Plan) -> None:
    [row] = deliveries(make_user, plan, 1, "z")
    admin_client.post(URL + f"{row.pk}/change/", {"status": Status.SENT, "attempts": 0})
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 1)


def test_resend_puts_failed_rows_back_in_line_after_commit(
    admin_client: Client, make_user: Callable[..., User], plan: Plan, django_capture_on_commit_callbacks: Any
) -> None:
    failed, other = deliveries(make_user, plan, 2, "r")
    ReminderDelivery.objects.filter(pk=other.pk).update(status=Status.SENT, error="")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(
            URL, {"action": "resend_failed", "_selected_action": [failed.pk, other.pk]}, follow=True
        )
    assert response.status_code == 200
    assert len(callbacks) == 1  # one batch enqueued, only once the transaction commits
    failed.refresh_from_db()
    other.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.PENDING, 0)
    assert other.status == Status.SENT  # a sent reminder is never sent again from here
