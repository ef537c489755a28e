"""A learner downloads all their data as one ZIP, and deletes their account: password first, every row of
theirs gone, anonymous totals kept, signed out everywhere, a confirmation email; refused while a reminder to
them is being sent."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from curriculum.models import Day, Plan
from progress import rescheduling
from progress.models import (
    DayNote,
    DayOff,
    DeletedLearnerTotals,
    Enrollment,
    LearnerProfile,
    ReminderDelivery,
    ScheduleChange,
    StudyTime,
    StudyTimer,
    TaskCompletion,
    UserSession,
)
from tests.factories import make_plan
from tests.progress.helpers import START, logged_in, tick_days

pytestmark = pytest.mark.usefixtures("english_ui")

PASSWORD = "correct-horse-battery"
LEARNER_MODELS = (
    Enrollment, TaskCompletion, DayNote, DayOff, ScheduleChange, ReminderDelivery, LearnerProfile, StudyTime, StudyTimer
)  # fmt: skip


@pytest.fixture
def history(enrollment: Enrollment, alice: User, plan: Plan) -> Enrollment:
    """Alice with something of every kind: ticks, a note, a day off, a reschedule, a reminder, a profile, study
    time and a running timer."""
    LearnerProfile.objects.create(user=alice, language="en")
    tick_days(enrollment, 1, 2)
    DayNote.objects.create(enrollment=enrollment, day=Day.objects.get(plan=plan, number=2), body="## Mine\n\n*notes*")
    DayOff.objects.create(enrollment=enrollment, start_date=date(2026, 4, 1), end_date=date(2026, 4, 3))
    rescheduling.apply(enrollment, ScheduleChange.Kind.SHIFT, date(2026, 3, 9))
    ReminderDelivery.objects.create(enrollment=enrollment, local_date=START, status="sent", sent_at=timezone.now())
    StudyTime.objects.create(enrollment=enrollment, day=Day.objects.get(plan=plan, number=2), minutes=95)
    StudyTimer.objects.create(
        user=alice, enrollment=enrollment, day=Day.objects.get(plan=plan, number=3), started_at=timezone.now()
    )
    return enrollment


def unzip(response) -> dict[str, str]:
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_zip_holds_notes_ticks_changes_days_off_reminders_and_settings(alice: User, history: Enrollment) -> None:
    response = logged_in(alice).get("/account/data.zip")
    assert 'filename="study-plan-data.zip"' in response["Content-Disposition"]
    files = unzip(response)
    folder = history.plan.slug
    assert set(files) == {"README.txt", "account.json"} | {
        f"{folder}/{name}"
        for name in (
            "notes.md", "ticks.json", "study_time.json", "schedule_changes.json", "days_off.json", "reminders.json"
        )
    }  # fmt: skip
    assert "## Mine\n\n*notes*" in files[f"{folder}/notes.md"]
    ticks = json.loads(files[f"{folder}/ticks.json"])
    assert len(ticks) == TaskCompletion.objects.filter(enrollment=history).count() == 8
    assert {t["day"] for t in ticks} == {1, 2} and ticks[0]["task_text"].startswith("Task 1 of Topic 1m")
    assert "Study time: 1 h 35 min" in files[f"{folder}/notes.md"]
    study = json.loads(files[f"{folder}/study_time.json"])
    assert [(d["plan_day"], d["minutes"]) for d in study["days"]] == [(2, 95)] and study["running_timer"][
        "plan_day"
    ] == 3
    assert json.loads(files[f"{folder}/days_off.json"])[0]["start_date"] == "2026-04-01"
    assert json.loads(files[f"{folder}/schedule_changes.json"])[0]["kind"] == "shift"
    assert json.loads(files[f"{folder}/reminders.json"])[0]["status"] == "sent"
    account = json.loads(files["account.json"])
    assert (account["username"], account["email"], account["language"]) == ("alice", "alice@example.com", "en")
    assert account["enrollments"][0]["time_zone"] == "Asia/Shanghai"


def test_the_zip_holds_nothing_of_another_learner(alice: User, bob: User, history: Enrollment) -> None:
    other = Enrollment.objects.create(user=bob, plan=make_plan(slug="bobs", days=3), start_date=START)
    DayNote.objects.create(enrollment=other, day=Day.objects.get(plan=other.plan, number=1), body="bob secret")
    files = unzip(logged_in(bob).get("/account/data.zip"))
    assert "alice" not in "".join(files.values()) and "## Mine" not in "".join(files.values())
    assert "bob secret" in files["bobs/notes.md"]


def test_deleting_needs_the_password(alice: User, history: Enrollment) -> None:
    client = logged_in(alice)
    assert "Delete my account" in client.get("/account/delete/").content.decode()
    response = client.post("/account/delete/", {"password": "wrong"})
    assert response.status_code == 400 and "That is not your password." in response.content.decode()
    assert User.objects.filter(username="alice").exists() and not mail.outbox


def test_deleting_removes_every_row_keeps_anonymous_totals_and_signs_out_everywhere(
    alice: User, bob: User, history: Enrollment, django_capture_on_commit_callbacks
) -> None:
    bobs = Enrollment.objects.create(user=bob, plan=history.plan, start_date=START)
    tick_days(bobs, 1)
    StudyTime.objects.create(enrollment=bobs, day=Day.objects.get(plan=history.plan, number=2), minutes=10)
    laptop, phone, bob_client = Client(), Client(), Client()
    for client, user in ((laptop, alice), (phone, alice), (bob_client, bob)):
        assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = laptop.post("/account/delete/", {"password": PASSWORD}, follow=True)
    assert "Your account and all your data were deleted." in response.content.decode()
    assert not User.objects.filter(username="alice").exists()
    for model in LEARNER_MODELS:
        owner = "user" if model in (Enrollment, LearnerProfile) else "enrollment__user"
        assert not model.objects.exclude(**{owner: bob}).exists(), model
    assert not UserSession.objects.exclude(user=bob).exists()
    assert StudyTime.objects.get().minutes == 10  # bob's, on the same plan day as alice's
    signed_in = {s.get_decoded().get("_auth_user_id") for s in Session.objects.all()} - {None}
    assert signed_in == {str(bob.pk)}
    for client in (laptop, phone):
        assert client.get("/").status_code == 302
    assert bob_client.get("/").status_code == 200
    assert TaskCompletion.objects.filter(enrollment=bobs).count() == 4
    totals = DeletedLearnerTotals.objects.get(plan=history.plan)
    assert (totals.enrollments, totals.tasks_done) == (1, 8)
    [email] = mail.outbox
    assert email.to == ["alice@example.com"] and "deleted" in email.subject


def test_deleting_is_refused_while_a_reminder_to_the_learner_is_being_sent(
    alice: User, history: Enrollment, settings: Settings
) -> None:
    delivery = ReminderDelivery.objects.create(
        enrollment=history, local_date=START + timedelta(days=1), status="sending"
    )
    client = logged_in(alice)
    response = client.post("/account/delete/", {"password": PASSWORD})
    assert response.status_code == 409
    assert "A reminder email to you is being sent right now" in response.content.decode()
    assert Enrollment.objects.filter(user=alice).exists() and not mail.outbox
    # A "sending" row older than REMINDER_STALE_SECONDS belongs to a worker that died: not waited for.
    ReminderDelivery.objects.filter(pk=delivery.pk).update(
        updated_at=timezone.now() - timedelta(seconds=settings.REMINDER_STALE_SECONDS + 1)
    )
    assert client.post("/account/delete/", {"password": PASSWORD}).status_code == 302
    assert not User.objects.filter(username="alice").exists()


def test_instructors_see_the_anonymous_totals(
    client: Client, instructor: User, alice: User, history: Enrollment
) -> None:
    logged_in(alice).post("/account/delete/", {"password": PASSWORD})
    client.force_login(instructor)
    html = client.get("/admin/progress/deletedlearnertotals/").content.decode()
    assert history.plan.title in html and "alice" not in html
