"""Nudges: chosen from the cohort page's filters, sanitised, sent by the reminders' rules, throttled, logged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from progress.models import Nudge, NudgeDelivery
from progress.nudges.sending import NUDGES
from progress.reminders.sending import send_batch
from tests.progress.cohort_helpers import SATURDAY, Crowd, fill_plan, make_instructor
from tests.progress.helpers import logged_in
from tests.progress.reminder_helpers import SmtpServer

pytestmark = pytest.mark.usefixtures("english_ui")

URL = "/instructor/plans/cohort-plan/nudge/"
Status = NudgeDelivery.Status


@pytest.fixture
def crowd(db: None, on_local_date: Callable[..., None]) -> Crowd:
    on_local_date(SATURDAY)
    return fill_plan()


@pytest.fixture
def ines(crowd: Crowd) -> Client:
    return logged_in(make_instructor("ines-nudge", crowd.plan))


def post(client: Client, crowd: Crowd, *names: str, **fields: str) -> Any:
    data = {"subject": "Keep going", "body": "You can **do** it <script>alert(1)</script>", **fields}
    return client.post(URL, {**data, "recipients": [crowd.by_name[n].pk for n in names]})


def test_the_form_lists_the_filtered_learners_ticked(crowd: Crowd, ines: Client) -> None:
    html = ines.get(URL + "?behind=3").content.decode()
    ticked = [pk for pk in (crowd.by_name["never"].pk, crowd.by_name["behind"].pk) if f'value="{pk}" checked' in html]
    assert len(ticked) == 2
    assert f'value="{crowd.by_name["finisher"].pk}"' not in html


def test_sending_skips_learners_with_emails_off_and_sends_the_rest(
    crowd: Crowd, ines: Client, server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(ines, crowd, "never", "behind", "quiet")
    assert response.status_code == 302
    assert len(callbacks) == 1  # one batch, enqueued after commit
    nudge = Nudge.objects.get()
    rows = {d.enrollment.user.username: d for d in nudge.deliveries.select_related("enrollment__user")}
    assert {n: r.status for n, r in rows.items()} == {"never": "pending", "behind": "pending", "quiet": "skipped"}
    result = send_batch([rows["never"].pk, rows["behind"].pk], box=NUDGES)
    assert sorted(result.sent) == sorted([rows["never"].pk, rows["behind"].pk])
    assert set(nudge.deliveries.values_list("status", flat=True)) == {"sent", "skipped"}
    [message] = server.sink.to("never@example.com")
    assert message["Subject"] == "Keep going"
    assert message["List-Unsubscribe"].startswith("<http")
    part = message.get_body(("html",))
    assert part is not None
    html = part.get_content()
    assert "<strong>do</strong>" in html
    assert "<script" not in html
    assert send_batch([rows["never"].pk], box=NUDGES).sent == []  # a duplicated batch sends nothing twice


def test_a_learner_nudged_in_the_last_day_is_skipped(
    crowd: Crowd, ines: Client, server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        post(ines, crowd, "never")
    send_batch(list(NudgeDelivery.objects.values_list("pk", flat=True)), box=NUDGES)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(ines, crowd, "never", "behind", subject="Again")
    assert response.status_code == 302
    again = Nudge.objects.get(subject="Again")
    assert dict(again.deliveries.values_list("enrollment__user__username", "status")) == {
        "never": "skipped",
        "behind": "pending",
    }
    assert len(callbacks) == 1


def test_an_instructor_is_throttled(crowd: Crowd, ines: Client, settings: Any) -> None:
    settings.NUDGE_MAX_PER_HOUR = 1
    assert post(ines, crowd, "never").status_code == 302
    response = post(ines, crowd, "behind")
    assert response.status_code == 400
    assert "many nudges in the last hour" in response.content.decode()
    assert Nudge.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"subject": ""}, "This field is required."),
        ({"body": "  "}, "This field is required."),
        ({"subject": "x" * 151}, "at most 150 characters"),
    ],
)
def test_bad_input_changes_nothing(crowd: Crowd, ines: Client, fields: dict[str, str], message: str) -> None:
    response = post(ines, crowd, "never", **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Nudge.objects.exists()


def test_no_recipient_or_one_from_another_plan_is_refused(crowd: Crowd, ines: Client) -> None:
    assert "Choose at least one learner." in post(ines, crowd).content.decode()
    stranger = crowd.plan.enrollments.model.objects.get(user__username="stranger")
    response = ines.post(URL, {"subject": "s", "body": "b", "recipients": [stranger.pk]})
    assert response.status_code == 400
    assert not Nudge.objects.exists()


def test_the_admin_logs_nudges_of_the_instructors_plans_only(crowd: Crowd, ines: Client) -> None:
    post(ines, crowd, "never")
    other = make_instructor("otto")
    assert "Keep going" in ines.get("/admin/progress/nudge/").content.decode()
    assert "Keep going" not in logged_in(other).get("/admin/progress/nudge/").content.decode()
    root = User.objects.create_superuser("root", "root@example.com", "pw")
    assert "never" in logged_in(root).get("/admin/progress/nudgedelivery/").content.decode()
